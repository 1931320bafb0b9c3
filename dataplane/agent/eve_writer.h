#pragma once
// EveWriter: turns EventRecords into Suricata EVE JSON lines (event_type
// "flow" and "drop"), so SIEM pipelines that ingest Suricata ingest rampartd
// unchanged. Rampart-specific fields go under a "rampart" object. Each
// record goes to the EVE file (when one is open) and to the EventHub (when
// one is attached and has subscribers). Cold path: the agent thread only.

#include <cstdio>

#include <fmt/format.h>
#include <string>
#include <vector>

#include "dataplane/events/alert_record.h"
#include "dataplane/agent/event_hub.h"
#include "dataplane/events/event_record.h"
#include "dataplane/l7/match/signature_matcher.h"
#include "dataplane/ruleset/rule_set.h"

namespace rampart::dp {

class EveWriter {
 public:
  // Appends to `path` (empty: no file, records go to the hub only).
  static Result<std::unique_ptr<EveWriter>> open(const std::string& path, std::vector<std::string> port_names);
  void attach_hub(EventHub* hub) { hub_ = hub; }
  ~EveWriter();
  EveWriter(const EveWriter&) = delete;
  EveWriter& operator=(const EveWriter&) = delete;

  void write(const EventRecord& e, const RuleSet& rules);
  // event_type "alert", with the signature's sid, msg, classtype, priority
  // and the request's http fields.
  // Also writes the "anomaly" events that travel in AlertRecords.
  void write_alert(const AlertRecord& a, const SignatureMatcher& sigs);
  void flush() {
    if (file_ != nullptr) std::fflush(file_);
  }
  uint64_t written() const { return written_; }

 private:
  void write_anomaly(const AlertRecord& a, const char* type, const char* event, const char* app_proto);
  void emit(EveKind kind, uint64_t timestamp_ns, const fmt::memory_buffer& line);
  EveWriter(std::FILE* f, std::vector<std::string> names) : file_(f), port_names_(std::move(names)) {}
  std::FILE* file_;  // nullptr: no EVE file
  EventHub* hub_ = nullptr;
  std::vector<std::string> port_names_;
  uint64_t written_ = 0;
};

// "2026-11-26T19:48:47.123456+0000", the EVE timestamp format.
std::string eve_timestamp(uint64_t ns);

}  // namespace rampart::dp
