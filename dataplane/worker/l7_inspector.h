#pragma once
// L7Inspector: one worker's application-layer inspection. Per inspected TCP
// flow a slot holds the client->server TcpStream and, once the first bytes
// identify HTTP (whatever the port), an HTTP request parser; every parsed
// request goes through the SignatureMatcher. When raw-stream signatures are
// loaded, the server's direction is reassembled too and every in-order byte
// of both directions is scanned by the RawStreamScanner (Hyperscan
// streaming mode, per-direction state and window). UDP datagrams
// are matched statelessly (DNS queries, raw payload). Matches become AlertRecords in
// the worker's alert ring, as do HTTP protocol anomalies and overlapping
// TCP segments with different data; a matching drop/reject signature blocks
// the flow.
//
// Bounded: `slots` flows are inspected at once per worker (parsers and
// stream memory preallocated). A flow takes a slot with its first payload
// byte (never at the SYN: half-open connections hold none), starts its
// streams at the sequence numbers conntrack saw in the handshake, and gives
// the slot back as soon as nothing more is to be inspected. When none is
// free, a slot is taken from another flow: an HTTP flow between two
// requests, among the least recently active, is parked (it resumes at the
// same sequence number with its next byte, losing only its overlap
// history); else the least recently active slot if it has been idle for
// evict_idle_ns (its flow can no longer be inspected and is reset);
// otherwise the new flow gets kNoSlot and the caller applies its policy. Cold: create(). Hot:
// everything else, owning worker only. See docs/design/l7-inspection.md,
// "Inspection slots".
//
// Signature updates (docs/design/l7-inspection.md, "Replacing the
// signatures"): what is tied to one SignatureMatcher (Hyperscan scratch,
// the raw-stream scanner with its per-direction stream state) is an
// L7Engine. The control thread prepares a worker's next engine with
// prepare_engine() and offer()s it; the worker adopts it at the start of
// its next loop (adopt_offered(): no allocation, no wait), and hands the
// old one back through take_retired() for the control thread to free.

#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/macros.h"
#include "common/result.h"
#include "dataplane/events/alert_record.h"
#include "dataplane/events/event_ring.h"
#include "dataplane/l7/dns/dns_message.h"
#include "dataplane/l7/http/http_request_parser.h"
#include "dataplane/l7/match/raw_stream_scanner.h"
#include "dataplane/l7/match/signature_matcher.h"
#include "dataplane/l7/stream/segment_pool.h"
#include "dataplane/l7/stream/tcp_reassembler.h"
#include "dataplane/l7/tls/tls_client_hello.h"
#include "dataplane/parse/packet_meta.h"
#include "dataplane/stats/counter.h"

namespace rampart::dp {

struct L7Config {
  uint32_t slots = 1024;          // flows inspected at once per worker
  uint32_t pool_chunks = 8192;    // 2 KiB stream chunks per worker (16 MiB)
  ReassemblyConfig reassembly;
  HttpParserConfig http;
  uint32_t alert_ring_size = 16384;
  RingFullHook ring_full;  // offline: lossless (event_ring.h)
  uint32_t tls_accumulators = 64;  // ClientHellos being assembled at once (16 KiB each)
  uint32_t dns_tcp_parsers = 64;   // DNS-over-TCP flows parsed at once (4 KiB each)
  // Raw-stream signatures are verified over the last raw_window bytes of
  // the stream (per slot; a content chain longer than this cannot match).
  uint32_t raw_window = 4096;
  // A slot whose flow sent nothing for this long may be taken for a new
  // flow when no slot is free (capture time in offline mode).
  uint64_t evict_idle_ns = 10'000'000'000ull;
};

struct L7Stats {
  Counter flows_inspected;   // slots taken (a parked flow's resumption counts again)
  Counter slots_exhausted;   // payload that found no slot (none free, none idle enough to evict)
  Counter slots_parked;      // HTTP flows between requests whose slot was taken (they resume)
  Counter slots_evicted;     // slots taken from flows idle mid-message (those flows are reset)
  Counter http_requests;
  Counter not_http;          // first client bytes were neither HTTP nor TLS: not inspected further
  Counter tls_client_hellos;
  Counter tls_failed;        // not a usable ClientHello (or no accumulator free)
  Counter dns_queries;       // over UDP and TCP
  Counter dns_tcp_flows;     // TCP flows identified as DNS
  Counter dns_tcp_failed;    // ... with no DNS-over-TCP parser free: not inspected further
  Counter tls_anomalies;     // ClientHellos with at least one anomaly
  Counter dns_anomalies;     // DNS queries with at least one anomaly
  Counter alerts;
  Counter alerts_lost;       // alert ring full
  Counter flows_blocked;
  Counter stream_anomalies;  // overlapping segments with different data
  Counter http_anomalies;    // requests with at least one protocol anomaly
  Counter raw_stream_bytes;  // stream bytes (both directions) scanned by the raw-stream signatures
  Counter raw_stream_gaps;   // raw-stream scanning restarted after bytes that were never seen
  Counter raw_pending_dropped;  // raw-stream candidates not kept for re-verification (4 per flow)
};

// What inspection decided for the packet it was given.
enum class L7Verdict : uint8_t {
  kPass,
  kBlock,     // a drop/reject signature matched: block the flow
  kRefused,   // the stream refused the segment (cap, window): drop it, the sender retransmits
  kConflict,  // the segment contradicts bytes already inspected: drop it
};

// Where a new slot's streams start: Flow::stream_seq and which of them are
// known; `resume_http`: a parked HTTP flow, at a request boundary.
struct StreamStart {
  uint32_t seq[2] = {0, 0};
  uint8_t known = 0;  // bit d: seq[d] is direction d's next byte
  bool resume_http = false;
};

// A slot attach() took from another flow: that flow's fate.
struct SlotEviction {
  static constexpr uint32_t kNoOwner = UINT32_MAX;
  uint32_t owner = kNoOwner;  // kNoOwner: nothing was taken
  bool parked = false;        // true: resumes at resume_seq; false: inspection lost
  uint32_t resume_seq = 0;    // parked: the client's next byte
};

// The flow facts an alert reports.
struct L7FlowInfo {
  const uint8_t* client;
  const uint8_t* server;
  uint16_t client_port;
  uint16_t server_port;
  uint8_t family;
  uint16_t in_port;
  uint64_t flow_id;
  uint64_t now_ns;
  uint8_t mode;  // policy::GroupMode: not protect -> drop/reject signatures only alert
};

// Everything one worker needs that belongs to one SignatureMatcher.
struct L7Engine {
  const SignatureMatcher* matcher = nullptr;
  uint32_t generation = 0;  // of the signature set (0: the startup set)
  std::unique_ptr<SignatureMatcher::Scratch> scratch;
  std::unique_ptr<RawStreamScanner> raw;  // when the matcher has raw-stream signatures
};

class L7Inspector {
 public:
  static constexpr int32_t kNoSlot = -1;

  static Result<std::unique_ptr<L7Inspector>> create(uint16_t worker, const L7Config& cfg,
                                                     const SignatureMatcher* matcher, int socket);
  ~L7Inspector();

  // A slot for the TCP flow `owner` (the caller's flow index, reported back
  // if the slot is ever taken away), its streams started at `start`. When
  // none is free, one is taken from another flow and *evicted says which
  // and how (the caller updates that flow); kNoSlot (counted) if none can be.
  int32_t attach(uint32_t owner, const StreamStart& start, uint64_t now_ns, SlotEviction* evicted);
  void detach(int32_t slot);       // the flow ended
  // Whether the server's bytes are inspected (raw-stream signatures): a
  // flow whose server speaks first needs a slot for them.
  bool inspects_server() const { return raw_ != nullptr; }
  // A TCP segment of an inspected flow. The client's direction goes
  // through the application layer (requests) and the raw-stream
  // signatures; the server's only through the raw-stream signatures (and
  // returns kPass at once when none are loaded). When the flow needs
  // no more inspection (not HTTP, client stream finished, blocked, pass)
  // its slot is released at once and *released is set: the caller forgets
  // the slot.
  L7Verdict on_segment(int32_t slot, const PacketMeta& m, const uint8_t* payload, uint32_t len, bool to_server,
                       const L7FlowInfo& flow, bool* released);

  // A UDP datagram of an allowed flow: a DNS query (found by content, any
  // port) is matched on dns.query. Stateless: no slot.
  L7Verdict on_udp(const uint8_t* payload, uint32_t len, bool to_server, const L7FlowInfo& flow);

  rte_ring* alerts() { return alerts_; }
  const L7Stats& stats() const { return stats_; }
  const ReassemblyStats& reassembly_stats() const { return reasm_->stats(); }
  const SignatureMatcher& matcher() const { return *matcher_; }

  // Control thread: a worker's engine for another matcher (allocates).
  Result<std::unique_ptr<L7Engine>> prepare_engine(const SignatureMatcher* matcher, uint32_t generation) const;
  // Control thread: hands the engine to the worker (at most one offered
  // at a time: false, and the engine is kept by the caller, when one is
  // still waiting).
  bool offer(std::unique_ptr<L7Engine>& engine);
  // Control thread: the engine the worker gave up, or nullptr.
  std::unique_ptr<L7Engine> take_retired();
  // Any thread: the generation of the engine the worker runs.
  uint32_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Worker: at the start of a loop.
  void adopt_offered() {
    if (RAMPART_UNLIKELY(offered_.load(std::memory_order_relaxed) != nullptr)) adopt();
  }

 private:
  // The application-layer state; raw-stream scanning runs beside it.
  enum class SlotState : uint8_t { kFree, kProbing, kHttp, kTls, kDns, kIgnored, kDone, kBlocked };
  struct Slot {
    TcpStream stream;      // client -> server
    TcpStream reply;       // server -> client, reassembled only for raw-stream signatures
    SlotState state;
    uint8_t probe_len;
    int16_t tls;  // index into tls_, or -1
    int16_t dns;  // index into dns_tcp_, or -1
    uint8_t probe[64];
    HttpRequestParser* parser;
    AppLayer app;          // what the first bytes identified
    RawStreamDirection* raw[2];  // [0] client -> server, [1] server -> client; nullptr: no raw-stream signatures
    // Signatures that already fired on the headers of the request in
    // progress (its body still to come): not reported again at its end.
    uint8_t n_header_hits;
    uint32_t header_hits[8];
    // Least-recently-active order of the slots in use (eviction).
    int32_t lru_prev;
    int32_t lru_next;
    uint32_t owner;         // the flow, as given to attach()
    uint64_t last_active_ns;
  };

  explicit L7Inspector(const L7Config& cfg) : cfg_(cfg) {}
  void install(std::unique_ptr<L7Engine> e);
  void adopt();
  static void on_stream(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len);
  static void on_request(void* ctx, const HttpRequest& req);
  static void on_request_headers(void* ctx, const HttpRequest& req);
  InspectionBuffers request_buffers(const HttpRequest& r);
  void feed_app(Slot& s, const uint8_t* data, uint32_t len);
  void feed_http(Slot& s, const uint8_t* data, uint32_t len);
  void start_dns(Slot& s);
  static void on_dns_tcp(void* ctx, const DnsMessage& m);
  void inspect_dns(const DnsMessage& m, uint8_t l4_proto);
  void release_dns(Slot& s);
  void start_tls(Slot& s);
  void feed_tls(Slot& s, const uint8_t* data, uint32_t len);
  void release_tls(Slot& s);
  static void on_reply_stream(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len);
  void scan_raw(Slot& s, int dir, const uint8_t* data, uint32_t len);
  static bool raw_active(const Slot& s) {
    return s.raw[0] != nullptr && (s.raw[0]->active || s.raw[1]->active);
  }
  void stop_raw(Slot& s) {
    if (s.raw[0] != nullptr) s.raw[0]->active = s.raw[1]->active = false;
  }
  MatchFlow match_flow(uint8_t l4_proto, AppLayer app, bool to_server = true) const;
  void match_and_report(const InspectionBuffers& b, const MatchFlow& mf, const HttpRequest* req, AppProto app,
                        std::string_view name);
  void report_hits(const uint32_t* hits, uint32_t k, const HttpRequest* r, AppProto app, std::string_view name,
                   bool to_server = true);
  bool finished(const Slot& s) const;
  bool parkable(const Slot& s) const;
  // attach() with no slot free: takes one from another flow, or kNoSlot.
  int32_t evict(uint64_t now_ns, SlotEviction* evicted);
  void lru_unlink(int32_t slot);
  void lru_push_front(int32_t slot);
  void report(const HttpRequest* req, AlertKind kind, uint32_t sig_or_bits, bool blocked,
              AppProto app = AppProto::kHttp, std::string_view name = {}, uint8_t l4_proto = 6,
              bool to_server = true);

  const L7Config cfg_;
  std::unique_ptr<L7Engine> engine_;
  const SignatureMatcher* matcher_ = nullptr;     // engine_'s, for the hot path
  SignatureMatcher::Scratch* scratch_ = nullptr;  // engine_'s
  RawStreamScanner* raw_ = nullptr;               // engine_'s; nullptr: no raw-stream signatures
  std::atomic<L7Engine*> offered_{nullptr};
  std::atomic<L7Engine*> retired_{nullptr};
  std::atomic<uint32_t> generation_{0};
  std::unique_ptr<SegmentPool> pool_;
  std::unique_ptr<TcpReassembler> reasm_;
  std::vector<Slot> slots_;
  std::vector<int32_t> free_;
  int32_t lru_head_ = kNoSlot;  // most recently active
  int32_t lru_tail_ = kNoSlot;
  std::vector<std::unique_ptr<HttpRequestParser>> parsers_;  // one per slot
  std::vector<std::unique_ptr<TlsClientHelloAccumulator>> tls_;  // shared by the slots, on demand
  std::vector<int16_t> tls_free_;
  std::vector<std::unique_ptr<DnsTcpParser>> dns_tcp_;  // shared by the slots, on demand
  std::vector<int16_t> dns_free_;
  rte_ring* alerts_ = nullptr;
  L7Stats stats_;
  std::vector<char> header_buf_;  // joined "Name: value\r\n" lines, sized at create()
  uint8_t cur_l4_ = 6;

  // The segment being inspected (set by on_segment for the callbacks).
  Slot* cur_slot_ = nullptr;
  const L7FlowInfo* cur_flow_ = nullptr;
  bool cur_block_ = false;
};

}  // namespace rampart::dp
