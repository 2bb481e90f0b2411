#include "moor/runtime/image/www_authenticate.h"

#include <cctype>

namespace moor::runtime {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool Done() const { return pos_ >= s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[pos_]; }
  void Skip() { ++pos_; }
  void SkipSpace() {
    while (!Done() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void SkipSpaceAndCommas() {
    while (!Done() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == ',')) ++pos_;
  }
  std::string_view Token() {
    std::size_t start = pos_;
    while (!Done() && IsTokenChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A quoted-string starting at the opening quote; backslash escapes the next character.
  std::string Quoted() {
    std::string out;
    ++pos_;
    while (!Done() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (!Done()) ++pos_;
    return out;
  }
  // An unquoted value: everything up to the next comma or space.
  std::string_view Bare() {
    std::size_t start = pos_;
    while (!Done() && s_[pos_] != ',' && s_[pos_] != ' ' && s_[pos_] != '\t') ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::size_t pos() const { return pos_; }
  void set_pos(std::size_t p) { pos_ = p; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view header) {
  std::vector<AuthChallenge> out;
  Scanner in(header);
  while (true) {
    in.SkipSpaceAndCommas();
    if (in.Done()) break;
    std::string_view scheme = in.Token();
    if (scheme.empty()) {
      in.Skip();  // garbage: move on
      continue;
    }
    AuthChallenge challenge;
    challenge.scheme = Lower(scheme);
    // auth-params: key=value pairs separated by commas, until a token not followed by '='
    // (the next challenge's scheme).
    while (true) {
      in.SkipSpaceAndCommas();
      std::size_t mark = in.pos();
      std::string_view key = in.Token();
      in.SkipSpace();
      if (key.empty() || in.Peek() != '=') {
        in.set_pos(mark);
        break;
      }
      in.Skip();
      in.SkipSpace();
      std::string value = in.Peek() == '"' ? in.Quoted() : std::string(in.Bare());
      challenge.params[Lower(key)] = value;
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

}  // namespace moor::runtime
