#include "controlplane/compiler/yaml_load.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace rampart::cp {
namespace {

bool all_of_digits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = base == 8    ? (c >= '0' && c <= '7')
                    : base == 10 ? (c >= '0' && c <= '9')
                                 : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return false;
  }
  return true;
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool core_float_syntax(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&]() {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// The YAML 1.2 core schema value of a plain scalar, as "type:canonical", or
// "" for a string (or a number too large to compare, which is then
// compared by its text only). Nulls never get here: yaml-cpp reports them
// as null events.
std::string core_value(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return "bool:true";
  if (s == "false" || s == "False" || s == "FALSE") return "bool:false";
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    const int base = s[1] == 'x' ? 16 : 8;
    const std::string_view d = s.substr(2);
    uint64_t v = 0;
    if (!all_of_digits(d, base)) return "";
    if (auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v, base); ec != std::errc()) return "";
    return fmt::format("int:{}", v);
  }
  {
    std::string_view d = s;
    bool negative = false;
    if (!d.empty() && (d[0] == '-' || d[0] == '+')) {
      negative = d[0] == '-';
      d.remove_prefix(1);
    }
    if (all_of_digits(d, 10)) {
      // Compared as decimal text, so any length works.
      const auto nz = d.find_first_not_of('0');
      if (nz == std::string_view::npos) return "int:0";
      return fmt::format("int:{}{}", negative ? "-" : "", d.substr(nz));
    }
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") return "float:inf";
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return "float:-inf";
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return "float:nan";
  if (core_float_syntax(s)) {
    const std::string_view d = s[0] == '+' ? s.substr(1) : s;
    double v = 0;
    if (auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v); ec != std::errc()) return "";
    return fmt::format("float:{}", v == 0 ? 0.0 : v);
  }
  return "";
}

// What a key is compared by.
struct KeyId {
  std::string text;   // as our readers see it (yaml-cpp's Scalar(): "" for null)
  std::string value;  // core schema value of a plain scalar, "" for a string
  std::string shown;  // for messages
  bool merge = false;  // a plain "<<"
};

std::string shown_key(std::string_view text) {
  constexpr std::size_t kMax = 60;
  if (text.size() <= kMax) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMax));
}

// One pass over the parse events of every document of the stream.
class Checker final : public YAML::EventHandler {
 public:
  Checker(const std::string& origin, std::vector<std::string>* errors) : origin_(origin), errors_(errors) {}
  int problems() const { return problems_; }

  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& m) override {
    // yaml-cpp 0.7 answers some malformed texts (a leading ',') with empty
    // documents that never move on: a syntax error, not an endless loop.
    if (documents_ > 0 && m.pos == last_document_pos_) {
      throw YAML::ParserException(m, "unexpected text: the parser cannot read past it");
    }
    last_document_pos_ = m.pos;
    if (++documents_ == 2) {
      add(m, "a second YAML document starts here: one file (or controller document) holds one YAML document "
             "(remove this '---' or split the file)");
    }
  }
  void OnDocumentEnd() override { frames_.clear(); }
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    KeyId id{"", "null", "null", false};
    node(m, &id);
    remember(anchor, std::move(id));
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    const auto it = anchored_scalars_.find(anchor);
    node(m, it == anchored_scalars_.end() ? nullptr : &it->second);
  }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor, const std::string& v) override {
    // A plain scalar has the non-specific tag "?"; a quoted or block one "!".
    const bool plain = tag == "?";
    KeyId id{v, plain ? core_value(v) : "", shown_key(v), plain && v == "<<"};
    node(m, &id);
    remember(anchor, std::move(id));
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, nullptr);
    frames_.push_back(Frame{false, true, {}});
  }
  void OnSequenceEnd() override { frames_.pop_back(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m, nullptr);
    frames_.push_back(Frame{true, true, {}});
  }
  void OnMapEnd() override { frames_.pop_back(); }

 private:
  struct Frame {
    bool map;
    bool expect_key;
    // "t:" + text or "v:" + value -> where that key first appeared
    std::unordered_map<std::string, YAML::Mark> seen;
  };

  void add(const YAML::Mark& m, const std::string& message) {
    errors_->push_back(fmt::format("{}: error: {}", where(m), message));
    ++problems_;
  }
  std::string where(const YAML::Mark& m) const { return fmt::format("{}:{}:{}", origin_, m.line + 1, m.column + 1); }

  void remember(YAML::anchor_t anchor, KeyId id) {
    if (anchor != YAML::NullAnchor) anchored_scalars_[anchor] = std::move(id);
  }

  // A node starts in the innermost collection: check it if it is a key.
  // `id` is null for a mapping, a sequence or an alias of one.
  void node(const YAML::Mark& m, const KeyId* id) {
    if (frames_.empty() || !frames_.back().map) return;
    Frame& f = frames_.back();
    const bool is_key = f.expect_key;
    f.expect_key = !f.expect_key;
    if (!is_key) return;
    if (id == nullptr) {
      add(m, "a mapping key must be a scalar, not a mapping or a list");
      return;
    }
    if (id->merge) {
      add(m, "merge keys ('<<') are not supported: write the keys out");
      return;
    }
    const std::string by_text = "t:" + id->text;
    const std::string by_value = id->value.empty() ? std::string() : "v:" + id->value;
    auto first = f.seen.find(by_text);
    if (first == f.seen.end() && !by_value.empty()) first = f.seen.find(by_value);
    if (first != f.seen.end()) {
      add(m, fmt::format("duplicate key '{}' (first at {})", id->shown, where(first->second)));
      return;
    }
    f.seen.emplace(by_text, m);
    if (!by_value.empty()) f.seen.emplace(by_value, m);
  }

  const std::string& origin_;
  std::vector<std::string>* errors_;
  int problems_ = 0;
  int documents_ = 0;
  int last_document_pos_ = -1;
  std::vector<Frame> frames_;
  std::unordered_map<YAML::anchor_t, KeyId> anchored_scalars_;
};

}  // namespace

Result<CheckedYaml> load_yaml_checked(std::string_view text, const std::string& origin,
                                     std::vector<std::string>* errors) {
  const std::string copy(text);
  CheckedYaml out;
  try {
    // Two parses: the checks need the event stream of every document, and
    // yaml-cpp builds its tree only from a parse of its own.
    std::istringstream in(copy);
    YAML::Parser parser(in);
    Checker checker(origin, errors);
    // The second document is an error in itself: no need to read on.
    while (checker.documents() < 2 && parser.HandleNextDocument(checker)) {
    }
    out.problems = checker.problems();
    out.root = YAML::Load(copy);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      errors->push_back(fmt::format("{}: error: YAML syntax: {}", origin, e.msg));
    } else {
      errors->push_back(
          fmt::format("{}:{}:{}: error: YAML syntax: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    return Error{fmt::format("{}: invalid YAML", origin)};
  }
  return out;
}

}  // namespace rampart::cp
