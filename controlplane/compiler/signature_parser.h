#pragma once
// Parser for Rampart's Suricata-compatible signature language (the subset
// in rules/README.md). Cold path, any thread. Every rule either loads or is
// reported once, with file:line and the reason: as an error (not valid
// rule syntax) or as unsupported (valid Suricata, outside the subset).
// Nothing is silently dropped or weakened.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/compiler/model.h"

namespace rampart::cp {

// Address and port variables ($HOME_NET, $HTTP_PORTS, ...), as in
// suricata.yaml's vars section. defaults() holds Suricata's defaults with
// HOME_NET and EXTERNAL_NET both "any" (an appliance that protects
// whatever is behind it).
struct SignatureVars {
  std::map<std::string, std::string> addresses;
  std::map<std::string, std::string> ports;
  static SignatureVars defaults();
};

struct SignatureSet {
  std::vector<Signature> signatures;
  std::vector<std::string> errors;       // "file:line: error: ..."
  std::vector<std::string> unsupported;  // "file:line: unsupported: ... (sid N)"
  std::size_t rule_lines = 0;            // rules seen (not comments)
};

// Parses rule text; `origin` names it in messages. Appends to `out`.
void parse_signatures(std::string_view text, const std::string& origin, const SignatureVars& vars,
                      SignatureSet& out);

// Rule files larger than this are refused unread (the largest public sets,
// ET Open's emerging-all.rules among them, are a few tens of MB).
inline constexpr std::size_t kMaxRulesFileBytes = std::size_t{128} << 20;

// Reads a .rules file, or every *.rules file of a directory (sorted by
// name). Returns false (with a message in out.errors) if one cannot be
// read: not a regular file (a FIFO, a device), larger than
// kMaxRulesFileBytes, or an I/O error.
bool load_signatures(const std::string& file_or_dir, const SignatureVars& vars, SignatureSet& out);

}  // namespace rampart::cp
