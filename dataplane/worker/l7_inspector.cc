#include "dataplane/worker/l7_inspector.h"

#include <rte_errno.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace rampart::dp {

Result<std::unique_ptr<L7Inspector>> L7Inspector::create(uint16_t worker, const L7Config& cfg,
                                                         const SignatureMatcher* matcher, int socket) {
  std::unique_ptr<L7Inspector> l(new L7Inspector(cfg));
  auto engine = l->prepare_engine(matcher, 0);
  if (!engine) return engine.error();
  l->pool_ = std::make_unique<SegmentPool>(cfg.pool_chunks);
  l->reasm_ = std::make_unique<TcpReassembler>(cfg.reassembly, *l->pool_);
  l->slots_.resize(cfg.slots);
  l->parsers_.reserve(cfg.slots);
  for (uint32_t i = 0; i < cfg.slots; ++i) {
    l->slots_[i] = Slot{};
    l->slots_[i].state = SlotState::kFree;
    l->slots_[i].lru_prev = l->slots_[i].lru_next = kNoSlot;
    l->parsers_.push_back(std::make_unique<HttpRequestParser>(cfg.http, on_request, l.get()));
    l->parsers_.back()->set_headers_sink(on_request_headers);
    l->slots_[i].parser = l->parsers_.back().get();
    l->free_.push_back(static_cast<int32_t>(cfg.slots - 1 - i));
  }
  for (uint32_t i = 0; i < cfg.tls_accumulators && i < 32767; ++i) {
    l->tls_.push_back(std::make_unique<TlsClientHelloAccumulator>());
    l->tls_free_.push_back(static_cast<int16_t>(i));
  }
  for (uint32_t i = 0; i < cfg.dns_tcp_parsers && i < 32767; ++i) {
    l->dns_tcp_.push_back(std::make_unique<DnsTcpParser>(on_dns_tcp, l.get()));
    l->dns_free_.push_back(static_cast<int16_t>(i));
  }
  l->header_buf_.resize(cfg.http.header_store + 4u * cfg.http.max_headers);
  l->install(std::move(*engine));
  for (uint32_t i = 0; i < cfg.slots; ++i) {
    l->slots_[i].raw[0] = l->raw_ != nullptr ? &l->raw_->direction(2 * i) : nullptr;
    l->slots_[i].raw[1] = l->raw_ != nullptr ? &l->raw_->direction(2 * i + 1) : nullptr;
  }
  const std::string name = fmt::format("rp_alerts_{}", worker);
  l->alerts_ = rte_ring_create_elem(name.c_str(), sizeof(AlertRecord), cfg.alert_ring_size, socket,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
  if (l->alerts_ == nullptr) return Error{fmt::format("rte_ring_create_elem({}): {}", name, rte_strerror(rte_errno))};
  return l;
}

L7Inspector::~L7Inspector() {
  if (alerts_ != nullptr) rte_ring_free(alerts_);
  delete offered_.load();
  delete retired_.load();
}

Result<std::unique_ptr<L7Engine>> L7Inspector::prepare_engine(const SignatureMatcher* matcher,
                                                             uint32_t generation) const {
  auto e = std::make_unique<L7Engine>();
  e->matcher = matcher;
  e->generation = generation;
  auto scratch = matcher->make_scratch();
  if (!scratch) return scratch.error();
  e->scratch = std::move(*scratch);
  if (matcher->has_stream_signatures()) {
    auto raw = RawStreamScanner::create(matcher, 2 * cfg_.slots, cfg_.raw_window);
    if (!raw) return raw.error();
    e->raw = std::move(*raw);
  }
  return e;
}

bool L7Inspector::offer(std::unique_ptr<L7Engine>& engine) {
  if (offered_.load(std::memory_order_acquire) != nullptr) return false;
  offered_.store(engine.release(), std::memory_order_release);
  return true;
}

std::unique_ptr<L7Engine> L7Inspector::take_retired() {
  return std::unique_ptr<L7Engine>(retired_.exchange(nullptr, std::memory_order_acq_rel));
}

void L7Inspector::install(std::unique_ptr<L7Engine> e) {
  engine_ = std::move(e);
  matcher_ = engine_->matcher;
  scratch_ = engine_->scratch.get();
  raw_ = engine_->raw.get();
  generation_.store(engine_->generation, std::memory_order_release);
}

void L7Inspector::adopt() {
  std::unique_ptr<L7Engine> next(offered_.exchange(nullptr, std::memory_order_acq_rel));
  if (!next) return;
  // Flows in progress keep their application-layer state (parsers,
  // reassembly). Raw-stream scanning continues at the current stream
  // offset with the new signatures: a match spanning the swap is missed,
  // and a flow whose server side was not being reassembled (no raw-stream
  // signatures before) is not scanned by the new raw-stream signatures.
  RawStreamScanner* nraw = next->raw.get();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    RawStreamDirection* now[2] = {nraw != nullptr ? &nraw->direction(static_cast<uint32_t>(2 * i)) : nullptr,
                                  nraw != nullptr ? &nraw->direction(static_cast<uint32_t>(2 * i + 1)) : nullptr};
    for (int d = 0; d < 2 && now[0] != nullptr; ++d) {
      now[d]->active = false;
      if (s.state != SlotState::kFree && s.raw[d] != nullptr && s.raw[d]->active) {
        nraw->start(*now[d]);
        now[d]->offset = s.raw[d]->offset;
      }
    }
    s.raw[0] = now[0];
    s.raw[1] = now[1];
    s.n_header_hits = 0;  // signature indices of the old set
  }
  // The old engine goes back before the new generation is published: a
  // control thread that sees the generation finds the engine to free.
  L7Engine* stale = retired_.exchange(engine_.release(), std::memory_order_acq_rel);
  delete stale;  // never by construction (the control thread collects before offering)
  install(std::move(next));
}

void L7Inspector::lru_unlink(int32_t slot) {
  Slot& s = slots_[static_cast<std::size_t>(slot)];
  if (s.lru_prev != kNoSlot) {
    slots_[static_cast<std::size_t>(s.lru_prev)].lru_next = s.lru_next;
  } else {
    lru_head_ = s.lru_next;
  }
  if (s.lru_next != kNoSlot) {
    slots_[static_cast<std::size_t>(s.lru_next)].lru_prev = s.lru_prev;
  } else {
    lru_tail_ = s.lru_prev;
  }
  s.lru_prev = s.lru_next = kNoSlot;
}

void L7Inspector::lru_push_front(int32_t slot) {
  Slot& s = slots_[static_cast<std::size_t>(slot)];
  s.lru_prev = kNoSlot;
  s.lru_next = lru_head_;
  if (lru_head_ != kNoSlot) slots_[static_cast<std::size_t>(lru_head_)].lru_prev = slot;
  lru_head_ = slot;
  if (lru_tail_ == kNoSlot) lru_tail_ = slot;
}

int32_t L7Inspector::evict(uint64_t now_ns, SlotEviction* evicted) {
  // A parked flow loses nothing but its overlap history: the cheapest
  // victim, looked for among the least recently active few.
  constexpr int kParkScan = 8;
  int32_t v = lru_tail_;
  for (int k = 0; k < kParkScan && v != kNoSlot; ++k) {
    const Slot& s = slots_[static_cast<std::size_t>(v)];
    if (parkable(s)) {
      *evicted = SlotEviction{s.owner, true, s.stream.next_seq};
      stats_.slots_parked.add();
      detach(v);
      return v;
    }
    v = s.lru_prev;
  }
  // Else only a slot idle for evict_idle_ns: an attacker who wants to
  // starve inspection must keep a slot busier than every real flow.
  v = lru_tail_;
  if (v == kNoSlot || now_ns < slots_[static_cast<std::size_t>(v)].last_active_ns + cfg_.evict_idle_ns) {
    return kNoSlot;
  }
  *evicted = SlotEviction{slots_[static_cast<std::size_t>(v)].owner, false, 0};
  stats_.slots_evicted.add();
  detach(v);
  return v;
}

int32_t L7Inspector::attach(uint32_t owner, const StreamStart& start, uint64_t now_ns, SlotEviction* evicted) {
  *evicted = SlotEviction{};
  if (free_.empty() && evict(now_ns, evicted) == kNoSlot) {
    stats_.slots_exhausted.add();
    return kNoSlot;
  }
  const int32_t i = free_.back();
  free_.pop_back();  // PERF: vector of preallocated capacity, no allocation
  Slot& s = slots_[static_cast<std::size_t>(i)];
  std::memset(&s.stream, 0, sizeof(s.stream));
  std::memset(&s.reply, 0, sizeof(s.reply));
  if (start.known & 1u) reasm_->start(s.stream, start.seq[0]);
  if (start.known & 2u) reasm_->start(s.reply, start.seq[1]);
  s.state = SlotState::kProbing;
  s.probe_len = 0;
  s.tls = -1;
  s.dns = -1;
  s.parser->reset();
  s.app = AppLayer::kNone;
  if (start.resume_http) {
    s.state = SlotState::kHttp;
    s.app = AppLayer::kHttp;
  }
  if (raw_) {
    raw_->start(*s.raw[0]);
    raw_->start(*s.raw[1]);
  }
  s.n_header_hits = 0;
  s.owner = owner;
  s.last_active_ns = now_ns;
  lru_push_front(i);
  stats_.flows_inspected.add();
  return i;
}

void L7Inspector::detach(int32_t slot) {
  if (slot == kNoSlot) return;
  Slot& s = slots_[static_cast<std::size_t>(slot)];
  reasm_->release(s.stream);
  reasm_->release(s.reply);
  release_tls(s);
  release_dns(s);
  s.state = SlotState::kFree;
  stop_raw(s);
  lru_unlink(slot);
  free_.push_back(slot);
}

bool L7Inspector::finished(const Slot& s) const {
  const bool app_done =
      s.state == SlotState::kIgnored || s.state == SlotState::kDone || s.state == SlotState::kBlocked;
  return app_done && (!raw_active(s) || s.state == SlotState::kBlocked);
}

// An HTTP flow between two requests holds nothing that a fresh slot would
// not rebuild: no partial request, no buffered out-of-order bytes, no FIN
// pending, no raw-stream state (raw-stream signatures keep the slot).
bool L7Inspector::parkable(const Slot& s) const {
  return s.state == SlotState::kHttp && !raw_active(s) && s.parser->at_request_boundary() &&
         s.stream.chunks == s.stream.hist_chunks && (s.stream.flags & TcpStream::kFinSeen) == 0 &&
         s.n_header_hits == 0;
}

MatchFlow L7Inspector::match_flow(uint8_t l4_proto, AppLayer app, bool to_server) const {
  const L7FlowInfo& f = *cur_flow_;
  MatchFlow m;
  m.client = f.client;
  m.server = f.server;
  m.client_port = f.client_port;
  m.server_port = f.server_port;
  m.family = f.family;
  m.l4_proto = l4_proto;
  m.app = app;
  m.to_server = to_server;
  return m;
}

void L7Inspector::scan_raw(Slot& s, int dir, const uint8_t* data, uint32_t len) {
  stats_.raw_stream_bytes.add(len);
  uint32_t hits[16];
  uint64_t dropped = 0;
  const uint32_t k = raw_->scan(*s.raw[dir], data, len, match_flow(6, s.app, dir == 0), *scratch_, hits, 16, &dropped);
  if (dropped != 0) stats_.raw_pending_dropped.add(dropped);
  report_hits(hits, k, nullptr, AppProto::kNone, {}, dir == 0);
}

// The server's direction: raw-stream signatures only.
void L7Inspector::on_reply_stream(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len) {
  auto* self = static_cast<L7Inspector*>(ctx);
  Slot& s = *self->cur_slot_;
  RawStreamDirection& d = *s.raw[1];
  if (!d.active) return;
  if (ev == StreamEvent::kGap) {
    self->raw_->gap(d, len);
    self->stats_.raw_stream_gaps.add();
  } else if (ev == StreamEvent::kFin || ev == StreamEvent::kRst) {
    d.active = false;
  } else if (!self->cur_block_ && s.state != SlotState::kBlocked) {
    self->scan_raw(s, 1, data, len);
  }
}

void L7Inspector::on_stream(void* ctx, StreamEvent ev, const uint8_t* data, uint32_t len) {
  auto* self = static_cast<L7Inspector*>(ctx);
  Slot& s = *self->cur_slot_;
  if (ev == StreamEvent::kGap) {
    // Bytes we will never see: the parser cannot resynchronise inside HTTP.
    if (s.state == SlotState::kHttp) s.parser->end_of_stream();
    if (s.state == SlotState::kProbing || s.state == SlotState::kHttp || s.state == SlotState::kDns) {
      s.state = SlotState::kIgnored;
    }
    self->release_dns(s);
    // Raw-stream matching goes on after the gap, but no match may span it.
    if (s.raw[0] != nullptr && s.raw[0]->active) {
      self->raw_->gap(*s.raw[0], len);  // len: the bytes skipped
      self->stats_.raw_stream_gaps.add();
    }
    return;
  }
  if (ev == StreamEvent::kFin || ev == StreamEvent::kRst) {
    if (s.state == SlotState::kHttp) s.parser->end_of_stream();
    if (s.state == SlotState::kDns) self->dns_tcp_[static_cast<std::size_t>(s.dns)]->end_of_stream();
    if (s.state == SlotState::kHttp || s.state == SlotState::kProbing || s.state == SlotState::kDns ||
        s.state == SlotState::kTls) {
      s.state = SlotState::kDone;
    }
    self->release_dns(s);
    self->release_tls(s);
    if (s.raw[0] != nullptr) s.raw[0]->active = false;
    return;
  }
  // Application layer first (it identifies the protocol the raw-stream
  // signatures' headers may ask for), then the raw stream.
  self->feed_app(s, data, len);
  if (s.raw[0] != nullptr && s.raw[0]->active && !self->cur_block_) self->scan_raw(s, 0, data, len);
}

void L7Inspector::feed_app(Slot& s, const uint8_t* data, uint32_t len) {
  if (s.state == SlotState::kProbing) {
    const uint32_t take = std::min<uint32_t>(len, sizeof(s.probe) - s.probe_len);
    std::memcpy(s.probe + s.probe_len, data, take);
    s.probe_len = static_cast<uint8_t>(s.probe_len + take);
    const HttpProbe http = probe_http_request(s.probe, s.probe_len);
    const TlsProbe tls = http == HttpProbe::kYes ? TlsProbe::kNo : probe_tls_client_hello(s.probe, s.probe_len);
    const DnsProbe dns = http == HttpProbe::kYes || tls == TlsProbe::kYes
                             ? DnsProbe::kNo
                             : probe_dns_query(s.probe, s.probe_len, DnsTransport::kTcp);
    const bool probe_full = s.probe_len == sizeof(s.probe);
    if (http == HttpProbe::kYes) {
      s.state = SlotState::kHttp;
      s.app = AppLayer::kHttp;
      feed_http(s, s.probe, s.probe_len);
      if (take < len && s.state == SlotState::kHttp) feed_http(s, data + take, len - take);
      return;
    }
    if (tls == TlsProbe::kYes) {
      s.app = AppLayer::kTls;
      start_tls(s);
      if (s.state != SlotState::kTls) return;
      feed_tls(s, s.probe, s.probe_len);
      if (take < len && s.state == SlotState::kTls) feed_tls(s, data + take, len - take);
      return;
    }
    // DNS over TCP: a plausible header and a question so far; a first name
    // longer than the probe is taken on the header's word (the parser then
    // judges the whole message).
    if (dns == DnsProbe::kYes || (dns == DnsProbe::kNeedMore && probe_full && http != HttpProbe::kNeedMore &&
                                  tls != TlsProbe::kNeedMore)) {
      s.app = AppLayer::kDns;
      start_dns(s);
      if (s.state != SlotState::kDns) return;
      dns_tcp_[static_cast<std::size_t>(s.dns)]->feed(s.probe, s.probe_len);
      if (take < len && s.state == SlotState::kDns) dns_tcp_[static_cast<std::size_t>(s.dns)]->feed(data + take, len - take);
      return;
    }
    const bool undecided = http == HttpProbe::kNeedMore || tls == TlsProbe::kNeedMore || dns == DnsProbe::kNeedMore;
    if (undecided && !probe_full) return;
    s.state = SlotState::kIgnored;
    stats_.not_http.add();
    return;
  }
  if (s.state == SlotState::kTls) {
    feed_tls(s, data, len);
    return;
  }
  if (s.state == SlotState::kDns) {
    dns_tcp_[static_cast<std::size_t>(s.dns)]->feed(data, len);
    return;
  }
  if (s.state == SlotState::kHttp) feed_http(s, data, len);
}

void L7Inspector::start_dns(Slot& s) {
  if (dns_free_.empty()) {
    stats_.dns_tcp_failed.add();
    s.state = SlotState::kIgnored;
    return;
  }
  s.dns = dns_free_.back();
  dns_free_.pop_back();
  dns_tcp_[static_cast<std::size_t>(s.dns)]->reset();
  s.state = SlotState::kDns;
  stats_.dns_tcp_flows.add();
}

void L7Inspector::release_dns(Slot& s) {
  if (s.dns < 0) return;
  dns_free_.push_back(s.dns);
  s.dns = -1;
}

void L7Inspector::on_dns_tcp(void* ctx, const DnsMessage& m) {
  static_cast<L7Inspector*>(ctx)->inspect_dns(m, 6);
}

// One DNS message from the client (UDP datagram or TCP message).
void L7Inspector::inspect_dns(const DnsMessage& m, uint8_t l4_proto) {
  if (m.qr()) return;  // a response from the client side: not a query
  if (m.anomalies != 0) {
    stats_.dns_anomalies.add();
    report(nullptr, AlertKind::kDnsAnomaly, m.anomalies, false, AppProto::kDns, m.qname(), l4_proto);
  }
  if (!m.has_question) return;
  stats_.dns_queries.add();
  InspectionBuffers b;
  b[policy::SigBuffer::kDnsQuery] = m.qname();
  match_and_report(b, match_flow(l4_proto, AppLayer::kDns), nullptr, AppProto::kDns, m.qname());
}

void L7Inspector::feed_http(Slot& s, const uint8_t* data, uint32_t len) {
  s.parser->feed(data, len);
}

void L7Inspector::start_tls(Slot& s) {
  if (tls_free_.empty()) {
    stats_.tls_failed.add();
    s.state = SlotState::kIgnored;
    return;
  }
  s.tls = tls_free_.back();
  tls_free_.pop_back();
  tls_[static_cast<std::size_t>(s.tls)]->reset();
  s.state = SlotState::kTls;
}

void L7Inspector::release_tls(Slot& s) {
  if (s.tls < 0) return;
  tls_free_.push_back(s.tls);
  s.tls = -1;
}

void L7Inspector::feed_tls(Slot& s, const uint8_t* data, uint32_t len) {
  TlsClientHelloAccumulator& acc = *tls_[static_cast<std::size_t>(s.tls)];
  switch (acc.feed(data, len)) {
    case TlsClientHelloAccumulator::Status::kNeedMore:
      return;
    case TlsClientHelloAccumulator::Status::kFailed:
      stats_.tls_failed.add();
      // It started as TLS: why it is unusable is an anomaly worth logging.
      if (acc.anomalies() != 0) {
        stats_.tls_anomalies.add();
        report(nullptr, AlertKind::kTlsAnomaly, acc.anomalies(), false, AppProto::kTls);
      }
      s.state = SlotState::kIgnored;
      break;
    case TlsClientHelloAccumulator::Status::kDone: {
      stats_.tls_client_hellos.add();
      if (acc.hello().anomalies != 0) {
        stats_.tls_anomalies.add();
        report(nullptr, AlertKind::kTlsAnomaly, acc.hello().anomalies, false, AppProto::kTls, acc.hello().sni);
      }
      // Only the ClientHello is inspected: what follows is encrypted.
      s.state = SlotState::kDone;
      if (acc.hello().has_sni) {
        InspectionBuffers b;
        b[policy::SigBuffer::kTlsSni] = acc.hello().sni;
        match_and_report(b, match_flow(6, AppLayer::kTls), nullptr, AppProto::kTls, acc.hello().sni);
      }
      break;
    }
  }
  release_tls(s);
}

InspectionBuffers L7Inspector::request_buffers(const HttpRequest& r) {
  // The header buffer: "Name: value\r\n" per header, as Suricata's http.header.
  std::size_t n = 0;
  char* hb = header_buf_.data();
  const std::size_t cap = header_buf_.size();
  for (const auto& h : r.headers) {
    if (n + h.name.size() + h.value.size() + 4 > cap) break;
    std::memcpy(hb + n, h.name.data(), h.name.size());
    n += h.name.size();
    hb[n++] = ':';
    hb[n++] = ' ';
    std::memcpy(hb + n, h.value.data(), h.value.size());
    n += h.value.size();
    hb[n++] = '\r';
    hb[n++] = '\n';
  }
  InspectionBuffers b;
  b[policy::SigBuffer::kHttpMethod] = r.method;
  b[policy::SigBuffer::kHttpUri] = r.uri_norm;
  b[policy::SigBuffer::kHttpUriRaw] = r.uri_raw;
  b[policy::SigBuffer::kHttpHeader] = std::string_view(hb, n);
  b[policy::SigBuffer::kHttpHost] = r.host;
  b[policy::SigBuffer::kHttpUserAgent] = r.user_agent;
  b[policy::SigBuffer::kHttpCookie] = r.cookie;
  b[policy::SigBuffer::kHttpRequestBody] = r.body;
  return b;
}

// The headers of a request whose body is still to come: signatures that do
// not look at the body are decided now (a stalled or endless body must not
// delay them); those that do wait for on_request.
void L7Inspector::on_request_headers(void* ctx, const HttpRequest& r) {
  auto* self = static_cast<L7Inspector*>(ctx);
  Slot& s = *self->cur_slot_;
  const InspectionBuffers b = self->request_buffers(r);
  uint32_t hits[16];
  const uint32_t k = self->matcher_->match(b, self->match_flow(6, AppLayer::kHttp), *self->scratch_, hits, 16);
  uint32_t now = 0;
  for (uint32_t i = 0; i < k; ++i) {
    if (self->matcher_->uses_buffer(hits[i], policy::SigBuffer::kHttpRequestBody)) continue;
    if (s.n_header_hits == sizeof(s.header_hits) / sizeof(s.header_hits[0])) break;  // the rest: at the end
    s.header_hits[s.n_header_hits++] = hits[i];
    hits[now++] = hits[i];
  }
  self->report_hits(hits, now, &r, AppProto::kHttp, {});
}

void L7Inspector::on_request(void* ctx, const HttpRequest& r) {
  auto* self = static_cast<L7Inspector*>(ctx);
  Slot& s = *self->cur_slot_;
  self->stats_.http_requests.add();
  if (r.anomalies != 0) {
    self->stats_.http_anomalies.add();
    self->report(&r, AlertKind::kHttpAnomaly, r.anomalies, false);
  }
  const InspectionBuffers b = self->request_buffers(r);
  uint32_t hits[16];
  uint32_t k = self->matcher_->match(b, self->match_flow(6, AppLayer::kHttp), *self->scratch_, hits, 16);
  if (s.n_header_hits > 0) {  // already reported on the headers
    uint32_t keep = 0;
    for (uint32_t i = 0; i < k; ++i) {
      const uint32_t* begin = s.header_hits;
      const uint32_t* end = begin + s.n_header_hits;
      if (std::find(begin, end, hits[i]) == end) hits[keep++] = hits[i];
    }
    k = keep;
    s.n_header_hits = 0;
  }
  self->report_hits(hits, k, &r, AppProto::kHttp, {});
}

void L7Inspector::match_and_report(const InspectionBuffers& b, const MatchFlow& mf, const HttpRequest* r,
                                   AppProto app, std::string_view name) {
  uint32_t hits[16];
  const uint32_t k = matcher_->match(b, mf, *scratch_, hits, 16);
  report_hits(hits, k, r, app, name, mf.to_server);
}

void L7Inspector::report_hits(const uint32_t* hits, uint32_t k, const HttpRequest* r, AppProto app,
                              std::string_view name, bool to_server) {
  bool pass = false;
  for (uint32_t i = 0; i < k; ++i) {
    const policy::Signature& sig = matcher_->signature(hits[i]);
    if (sig.action == policy::SigAction::kPass) pass = true;
  }
  for (uint32_t i = 0; i < k; ++i) {
    const policy::Signature& sig = matcher_->signature(hits[i]);
    if (sig.action == policy::SigAction::kPass) continue;
    const bool block = !pass && (sig.action == policy::SigAction::kDrop || sig.action == policy::SigAction::kReject) &&
                       cur_flow_->mode == static_cast<uint8_t>(policy::GroupMode::kProtect);
    if (block) cur_block_ = true;
    report(r, AlertKind::kSignature, hits[i], block, app, name, cur_l4_, to_server);
  }
  // pass: stop inspecting this flow.
  if (pass && cur_slot_ != nullptr) {
    cur_slot_->state = SlotState::kIgnored;
    stop_raw(*cur_slot_);
  }
}

void L7Inspector::report(const HttpRequest* r, AlertKind kind, uint32_t sig, bool blocked, AppProto app,
                         std::string_view name, uint8_t l4_proto, bool to_server) {
  if (kind == AlertKind::kSignature) stats_.alerts.add();
  AlertRecord a;
  std::memset(&a, 0, sizeof(a));
  const L7FlowInfo& f = *cur_flow_;
  a.timestamp_ns = f.now_ns;
  a.flow_id = f.flow_id;
  // src: the end that sent the data, as in Suricata's alerts.
  std::memcpy(a.src, to_server ? f.client : f.server, 16);
  std::memcpy(a.dst, to_server ? f.server : f.client, 16);
  a.src_port = to_server ? f.client_port : f.server_port;
  a.dst_port = to_server ? f.server_port : f.client_port;
  a.family = f.family;
  a.in_port = f.in_port;
  a.sig_index = sig;
  a.kind = kind;
  a.blocked = blocked ? 1 : 0;
  auto copy = [](char* dst, std::size_t cap, std::string_view v) {
    const std::size_t n = std::min(cap, v.size());
    std::memcpy(dst, v.data(), n);
    return n;
  };
  a.app_proto = static_cast<uint8_t>(app);
  a.l4_proto = l4_proto;
  a.mode = f.mode;
  a.sig_generation = static_cast<uint8_t>(engine_->generation);
  if (!name.empty()) a.host_len = static_cast<uint8_t>(copy(a.host, sizeof(a.host), name));
  if (r != nullptr) {
    a.method_len = static_cast<uint8_t>(copy(a.method, sizeof(a.method), r->method));
    a.host_len = static_cast<uint8_t>(copy(a.host, sizeof(a.host), r->host));
    a.ua_len = static_cast<uint8_t>(copy(a.user_agent, sizeof(a.user_agent), r->user_agent));
    a.url_len = static_cast<uint16_t>(copy(a.url, sizeof(a.url), r->uri_raw));
  }
  if (!enqueue_record(alerts_, a, cfg_.ring_full)) stats_.alerts_lost.add();
}

L7Verdict L7Inspector::on_udp(const uint8_t* payload, uint32_t len, bool to_server, const L7FlowInfo& flow) {
  if (payload == nullptr || len == 0) return L7Verdict::kPass;
  // The server's datagrams matter only to raw payload signatures.
  if (!to_server && !matcher_->has_signatures_in(policy::SigBuffer::kStream)) return L7Verdict::kPass;
  InspectionBuffers b;
  AppLayer app = AppLayer::kNone;
  std::string_view qname;
  DnsMessage msg;
  cur_slot_ = nullptr;
  cur_flow_ = &flow;
  cur_block_ = false;
  cur_l4_ = 17;
  if (!to_server) {
    // A DNS response makes the datagram DNS for `dns` rules' headers;
    // dns.query applies to queries only, as in Suricata.
    if (parse_dns_message(payload, len, msg) && msg.qr()) app = AppLayer::kDns;
  } else if (looks_like_dns_query(payload, len)) {
    (void)parse_dns_message(payload, len, msg);
    if (msg.anomalies != 0) {
      stats_.dns_anomalies.add();
      report(nullptr, AlertKind::kDnsAnomaly, msg.anomalies, false, AppProto::kDns, msg.qname(), 17);
    }
    if (msg.has_question) {
      stats_.dns_queries.add();
      app = AppLayer::kDns;
      qname = msg.qname();
      b[policy::SigBuffer::kDnsQuery] = qname;
    }
  }
  b[policy::SigBuffer::kStream] = std::string_view(reinterpret_cast<const char*>(payload), len);
  match_and_report(b, match_flow(17, app, to_server), nullptr,
                   app == AppLayer::kDns && to_server ? AppProto::kDns : AppProto::kNone, qname);
  cur_l4_ = 6;
  if (!cur_block_) return L7Verdict::kPass;
  stats_.flows_blocked.add();
  return L7Verdict::kBlock;
}

L7Verdict L7Inspector::on_segment(int32_t slot, const PacketMeta& m, const uint8_t* payload, uint32_t len,
                                  bool to_server, const L7FlowInfo& flow, bool* released) {
  *released = false;
  Slot& s = slots_[static_cast<std::size_t>(slot)];
  if (s.state == SlotState::kFree) return L7Verdict::kPass;
  // The server's side matters only to raw-stream signatures.
  if (!to_server && (s.raw[1] == nullptr || !s.raw[1]->active)) return L7Verdict::kPass;
  cur_slot_ = &s;
  cur_flow_ = &flow;
  cur_block_ = false;
  if (s.lru_prev != kNoSlot) {  // most recently active first
    lru_unlink(slot);
    lru_push_front(slot);
  }
  s.last_active_ns = flow.now_ns;
  // stream_flag bits are the TCP header's.
  const uint8_t flags = m.tcp_flags & (stream_flag::kFin | stream_flag::kSyn | stream_flag::kRst);
  const StreamConsumer out{to_server ? on_stream : on_reply_stream, this};
  const SegmentOutcome r = reasm_->add_segment(to_server ? s.stream : s.reply, m.tcp_seq, payload, len, flags, out);
  if (r.events & SegmentOutcome::kOverlapDifferent) {
    stats_.stream_anomalies.add();
    report(nullptr, AlertKind::kStreamAnomaly, 0, false, AppProto::kHttp, {}, 6, to_server);
  }
  L7Verdict v = L7Verdict::kPass;
  if (cur_block_) {
    s.state = SlotState::kBlocked;
    stats_.flows_blocked.add();
    v = L7Verdict::kBlock;
  } else if (r.drop) {
    v = (r.events & SegmentOutcome::kOverlapDifferent) ? L7Verdict::kConflict : L7Verdict::kRefused;
  }
  // Nothing more to inspect: hand the slot to the next flow now rather than
  // at the flow's expiry (a closed connection lingers in time_wait).
  if (finished(s)) {
    detach(slot);
    *released = true;
  }
  return v;
}

}  // namespace rampart::dp
