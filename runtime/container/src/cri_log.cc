#include "moor/runtime/cri_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <thread>

namespace moor::runtime {
namespace {

// Turns raw CRI log bytes into the messages a reader sees: splits entries at '\n', re-assembles
// "P" entries per stream until their "F" entry, and formats each message newline-terminated.
class CriMessageAssembler {
 public:
  using Emit = std::function<bool(std::string)>;  // false: stop

  CriMessageAssembler(bool timestamps, std::optional<WallTime> since) : timestamps_(timestamps), since_(since) {}

  // Feeds bytes; an entry without its '\n' yet waits for the next Feed. False if `emit` said stop.
  bool Feed(std::string_view data, const Emit& emit) {
    raw_.append(data);
    std::size_t start = 0;
    bool keep_going = true;
    while (keep_going) {
      std::size_t end = raw_.find('\n', start);
      if (end == std::string::npos) break;
      keep_going = Entry(std::string_view(raw_).substr(start, end - start), emit);
      start = end + 1;
    }
    raw_.erase(0, start);
    return keep_going;
  }

  // At the end of the input: an unterminated entry and messages still waiting for their "F"
  // are emitted as they are (a container that exited in the middle of a line).
  bool Flush(const Emit& emit) {
    if (!raw_.empty()) {
      std::string rest = std::move(raw_);
      raw_.clear();
      if (!Entry(rest, emit)) return false;
    }
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [stream, p] : pending) {
      if (!Emit1(p.timestamp, p.text, emit)) return false;
    }
    return true;
  }

  // The file was truncated or replaced: an unterminated entry from before cannot continue.
  void DropUnterminated() { raw_.clear(); }

 private:
  struct Pending {
    std::string timestamp;
    std::string text;
  };

  bool Entry(std::string_view line, const Emit& emit) {
    auto parsed = ParseCriLogLine(line);
    if (!parsed) return true;  // not a CRI entry: skip, as the kubelet does
    auto it = pending_.find(parsed->stream);
    if (parsed->partial) {
      if (it == pending_.end()) pending_[parsed->stream] = {parsed->timestamp, parsed->message};
      else it->second.text += parsed->message;
      return true;
    }
    if (it == pending_.end()) return Emit1(parsed->timestamp, parsed->message, emit);
    Pending p = std::move(it->second);
    pending_.erase(it);
    p.text += parsed->message;
    return Emit1(p.timestamp, p.text, emit);
  }

  // Emits one whole message unless it is older than since_.
  bool Emit1(const std::string& timestamp, const std::string& text, const Emit& emit) const {
    if (since_) {
      auto t = ParseRfc3339(timestamp);
      if (t.ok() && *t < *since_) return true;
    }
    return emit(Format(timestamp, text));
  }

  std::string Format(const std::string& timestamp, const std::string& text) const {
    std::string out;
    if (timestamps_) out = timestamp + " ";
    out += text;
    out += '\n';
    return out;
  }

  bool timestamps_;
  std::optional<WallTime> since_;
  std::string raw_;
  std::map<std::string, Pending> pending_;
};

// An open log file read from `offset` on; knows its inode so a replacement can be noticed.
struct OpenLog {
  int fd = -1;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t offset = 0;

  ~OpenLog() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// kNotFound if missing.
Status OpenLogFile(const std::string& path, OpenLog* log) {
  log->Close();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("log file " + path + " does not exist");
    return UnavailableError("open " + path + ": " + std::strerror(errno));
  }
  struct stat st{};
  ::fstat(fd, &st);
  log->fd = fd;
  log->dev = st.st_dev;
  log->ino = st.st_ino;
  log->offset = 0;
  return Status::Ok();
}

enum class ReadResult { kData, kEof, kStopped, kError };

// Reads what is there now and feeds it on. kStopped if the sink said stop.
ReadResult ReadAvailable(OpenLog* log, CriMessageAssembler* assembler, const CriMessageAssembler::Emit& emit,
                         std::string* error) {
  char buf[65536];
  bool any = false;
  while (true) {
    ssize_t n = ::pread(log->fd, buf, sizeof(buf), log->offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = std::strerror(errno);
      return ReadResult::kError;
    }
    if (n == 0) return any ? ReadResult::kData : ReadResult::kEof;
    any = true;
    log->offset += n;
    if (!assembler->Feed(std::string_view(buf, static_cast<std::size_t>(n)), emit)) return ReadResult::kStopped;
  }
}

bool FileExists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::optional<CriLogLine> ParseCriLogLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::size_t a = line.find(' ');
  if (a == std::string_view::npos || a == 0) return std::nullopt;
  std::size_t b = line.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view stream = line.substr(a + 1, b - a - 1);
  if (stream != "stdout" && stream != "stderr") return std::nullopt;
  std::size_t c = line.find(' ', b + 1);
  std::string_view tags = line.substr(b + 1, c == std::string_view::npos ? std::string_view::npos : c - b - 1);
  if (tags.empty()) return std::nullopt;
  // Tags are ':'-separated; "P" marks a partial entry, "F" a full one.
  bool partial = false;
  bool known = false;
  std::size_t start = 0;
  while (start <= tags.size()) {
    std::size_t end = tags.find(':', start);
    std::string_view tag = tags.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (tag == "P") partial = known = true;
    if (tag == "F") known = true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (!known) return std::nullopt;
  CriLogLine out;
  out.timestamp = std::string(line.substr(0, a));
  out.stream = std::string(stream);
  out.partial = partial;
  if (c != std::string_view::npos) out.message = std::string(line.substr(c + 1));
  return out;
}

Status ReadCriLog(const std::string& path, const LogReadOptions& options,
                  const std::function<bool(std::string_view)>& sink) {
  OpenLog log;
  MOOR_RETURN_IF_ERROR(OpenLogFile(path, &log));
  CriMessageAssembler assembler(options.timestamps, options.since);
  std::string error;
  auto read_error = [&] { return UnavailableError("read " + path + ": " + error); };

  // First pass: everything there now (the last N messages when tailing, then the rotated file
  // "<path>.1" fills up what the current one lacks).
  if (options.tail_lines && *options.tail_lines >= 0) {
    const std::size_t limit = static_cast<std::size_t>(*options.tail_lines);
    std::deque<std::string> last;
    CriMessageAssembler::Emit keep = [&](std::string m) {
      if (limit == 0) return true;
      last.push_back(std::move(m));
      if (last.size() > limit) last.pop_front();
      return true;
    };
    const std::string rotated = path + ".1";
    if (limit > 0 && FileExists(rotated)) {
      OpenLog old;
      if (OpenLogFile(rotated, &old).ok()) {
        if (ReadAvailable(&old, &assembler, keep, &error) == ReadResult::kError) {
          return UnavailableError("read " + rotated + ": " + error);
        }
        assembler.DropUnterminated();
      }
    }
    if (ReadAvailable(&log, &assembler, keep, &error) == ReadResult::kError) return read_error();
    if (!options.follow && !assembler.Flush(keep)) return Status::Ok();
    for (const auto& m : last) {
      if (!sink(m)) return Status::Ok();
    }
  } else {
    CriMessageAssembler::Emit forward = [&](std::string m) { return sink(m); };
    ReadResult r = ReadAvailable(&log, &assembler, forward, &error);
    if (r == ReadResult::kError) return read_error();
    if (r == ReadResult::kStopped) return Status::Ok();
    if (!options.follow) {
      assembler.Flush(forward);
      return Status::Ok();
    }
  }
  if (!options.follow) return Status::Ok();

  // Follow: poll for appended entries; a replaced file (conmon's rotation renames a fresh file
  // over the path) is drained and then read from its start; a truncated one from offset 0.
  CriMessageAssembler::Emit forward = [&](std::string m) { return sink(m); };
  while (true) {
    ReadResult r = ReadAvailable(&log, &assembler, forward, &error);
    if (r == ReadResult::kError) return read_error();
    if (r == ReadResult::kStopped) return Status::Ok();
    if (r == ReadResult::kData) continue;

    struct stat st{};
    if (::stat(path.c_str(), &st) == 0 && (st.st_ino != log.ino || st.st_dev != log.dev)) {
      r = ReadAvailable(&log, &assembler, forward, &error);  // what was written before the rename
      if (r == ReadResult::kError) return read_error();
      if (r == ReadResult::kStopped) return Status::Ok();
      OpenLog fresh;
      Status reopened = OpenLogFile(path, &fresh);
      if (reopened.ok()) {
        std::swap(log.fd, fresh.fd);
        log.dev = fresh.dev;
        log.ino = fresh.ino;
        log.offset = 0;
        assembler.DropUnterminated();
        continue;
      }
      if (reopened.code() != StatusCode::kNotFound) return reopened;
      // Gone again between stat and open: keep polling.
    }
    struct stat now{};
    if (::fstat(log.fd, &now) == 0 && now.st_size < log.offset) {
      log.offset = 0;
      assembler.DropUnterminated();
      continue;
    }
    if (options.keep_following && !options.keep_following()) {
      // One last read: whatever was written before the caller decided to stop.
      r = ReadAvailable(&log, &assembler, forward, &error);
      if (r == ReadResult::kError) return read_error();
      if (r == ReadResult::kStopped) return Status::Ok();
      assembler.Flush(forward);
      return Status::Ok();
    }
    std::this_thread::sleep_for(options.poll_interval);
  }
}

}  // namespace moor::runtime
