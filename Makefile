# moor — the two commands: `make demo` and `make check`. Both install what is missing first.
#
#   make demo      install packages, build, run the daemon on examples/ and show it working
#   make check     install packages, build, run the whole test suite (ctest)
#   make build     configure and build only
#   make bench     run the benchmarks in bench/
#   make package   build the Debian package: $(BUILD_DIR)/moor_<version>_<arch>.deb
#   make clean     remove the build tree

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)

# Debian 12 packages moor needs to build, test and run (see docs/development.md).
PACKAGES := build-essential cmake ninja-build pkg-config git ca-certificates \
            libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libcpprest-dev libboost-dev libssl-dev \
            libcli11-dev libgtest-dev libgmock-dev libgit2-dev libarchive-dev \
            python3 python3-kubernetes procps iproute2 curl libcurl4-openssl-dev \
            runc conmon containernetworking-plugins nftables conntrack iptables \
            busybox-static docker-registry skopeo umoci apache2-utils \
            dpkg-dev help2man lintian debootstrap

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build check demo bench package clean

deps:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:" $$missing; \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

check: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	./examples/demo.sh $(BUILD_DIR)/cli/moor

# CPack over the install rules (packaging/package.cmake; docs/packaging.md).
package: build
	cd $(BUILD_DIR) && cpack -G DEB
	@ls -1 $(BUILD_DIR)/moor_*.deb

bench: build
	./bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
