# The Debian package (`make package`, or `cmake --build <dir> --target package`): CPack's DEB
# generator over the install rules below. Included at the end of the top-level CMakeLists.txt.
# Writes moor_<version>_amd64.deb into the build directory. See docs/packaging.md.
if(NOT TARGET moor)
  return()
endif()

set(MOOR_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
# The package version; tests build a "newer" package by repacking, not by reconfiguring.
set(MOOR_DEB_VERSION ${PROJECT_VERSION} CACHE STRING "Version of the Debian package")

# Files outside /usr: absolute destinations, as Debian places them (bookworm: /lib/systemd).
install(FILES ${MOOR_PACKAGING_DIR}/moor.service DESTINATION /lib/systemd/system)
install(FILES ${MOOR_PACKAGING_DIR}/config.yaml DESTINATION /etc/moor)

# Documentation under /usr/share/doc/moor, compressed as policy wants (gzip -9n: no timestamp).
configure_file(${MOOR_PACKAGING_DIR}/debian/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog @ONLY)
install(FILES ${MOOR_PACKAGING_DIR}/debian/copyright DESTINATION share/doc/moor)

# Generated at install time from the built binary, so they never drift from the CLI:
# the man page (help2man over `moor --help-all`), the bash completion (`moor completion bash`)
# and the compressed changelog.
find_program(MOOR_HELP2MAN help2man)
find_program(MOOR_GZIP gzip REQUIRED)
install(CODE "
  set(moor_bin \"$<TARGET_FILE:moor>\")
  set(root \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  if(NOT EXISTS \"${MOOR_HELP2MAN}\")
    message(FATAL_ERROR \"packaging the man page needs help2man (apt-get install help2man; make deps does)\")
  endif()
  file(MAKE_DIRECTORY \"\${root}/share/man/man1\" \"\${root}/share/bash-completion/completions\" \"\${root}/share/doc/moor\")
  execute_process(
    COMMAND \"${MOOR_HELP2MAN}\" --no-info --no-discard-stderr --section=1 --help-option=--help-all
            --version-option=--version --source=moor
            \"--name=declarative GitOps appliance: Kubernetes manifests kept running on this host\"
            --include=${MOOR_PACKAGING_DIR}/moor.h2m --output=${CMAKE_CURRENT_BINARY_DIR}/packaging/moor.1 \${moor_bin}
    COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND \${moor_bin} completion bash
    OUTPUT_FILE \"\${root}/share/bash-completion/completions/moor\" COMMAND_ERROR_IS_FATAL ANY)
  foreach(pair \"moor.1|\${root}/share/man/man1/moor.1.gz\" \"changelog|\${root}/share/doc/moor/changelog.gz\")
    string(REPLACE \"|\" \";\" pair \"\${pair}\")
    list(GET pair 0 src)
    list(GET pair 1 dst)
    execute_process(COMMAND \"${MOOR_GZIP}\" -9nc ${CMAKE_CURRENT_BINARY_DIR}/packaging/\${src}
      OUTPUT_FILE \${dst} COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
  file(CHMOD \"\${root}/share/man/man1/moor.1.gz\" \"\${root}/share/doc/moor/changelog.gz\"
       \"\${root}/share/bash-completion/completions/moor\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME moor)
set(CPACK_PACKAGE_VERSION ${MOOR_DEB_VERSION})
set(CPACK_PACKAGE_CONTACT "moor maintainers <maintainers@users.noreply.b-seed-65bc6e90.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "declarative GitOps appliance for Kubernetes manifests")
# CPack puts the summary first; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "moor keeps the Kubernetes objects declared in a folder of YAML files (or a Git
repository) in an embedded SQLite store, validates them as kube-apiserver
would, serves them through a Kubernetes-shaped HTTPS API that kubectl talks
to, and runs their Pods as runc containers on this host.
.
This package runs moor as a systemd service that watches
/var/lib/moor/manifests; stopping or upgrading it leaves the pods running.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared-library dependencies from dpkg-shlibdeps, plus libcurl4 (loaded with dlopen while an image
# is pulled, so dpkg-shlibdeps cannot see it; runtime/image/src/curl_library.h) and the programs
# moor runs.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libcurl4 (>= 7.88.1), runc (>= 1.1.5), conmon (>= 2.1.6), containernetworking-plugins (>= 1.1.1), nftables (>= 1.0.6), conntrack (>= 1:1.4.7), iproute2 (>= 6.1.0), git, mount")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${MOOR_PACKAGING_DIR}/debian/conffiles
    ${MOOR_PACKAGING_DIR}/debian/postinst
    ${MOOR_PACKAGING_DIR}/debian/prerm
    ${MOOR_PACKAGING_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
include(CPack)
