#include "dataplane/ruleset/rule_set_rcu.h"

#include <rte_malloc.h>

#include <fmt/format.h>

namespace rampart::dp {

Result<std::unique_ptr<RuleSetRcu>> RuleSetRcu::create(uint32_t max_workers, std::unique_ptr<const RuleSet> initial) {
  const size_t sz = rte_rcu_qsbr_get_memsize(max_workers);
  auto* q = static_cast<rte_rcu_qsbr*>(rte_zmalloc("rampart_rcu", sz, RTE_CACHE_LINE_SIZE));
  if (q == nullptr) return Error{"cannot allocate the RCU state"};
  if (rte_rcu_qsbr_init(q, max_workers) != 0) {
    rte_free(q);
    return Error{fmt::format("rte_rcu_qsbr_init({}) failed", max_workers)};
  }
  return std::unique_ptr<RuleSetRcu>(new RuleSetRcu(q, initial.release()));
}

RuleSetRcu::~RuleSetRcu() {
  // Workers are stopped by now: nothing can still hold a reference.
  for (auto& r : retired_) delete r.rules;
  delete cur_.load();
  rte_free(qsbr_);
}

void RuleSetRcu::worker_online(uint32_t worker_id) {
  rte_rcu_qsbr_thread_register(qsbr_, worker_id);
  rte_rcu_qsbr_thread_online(qsbr_, worker_id);
}

void RuleSetRcu::worker_offline(uint32_t worker_id) {
  rte_rcu_qsbr_thread_offline(qsbr_, worker_id);
  rte_rcu_qsbr_thread_unregister(qsbr_, worker_id);
}

void RuleSetRcu::publish(std::unique_ptr<const RuleSet> next) {
  const RuleSet* old = cur_.exchange(next.release(), std::memory_order_acq_rel);
  retired_.push_back(Retired{rte_rcu_qsbr_start(qsbr_), old});
}

std::size_t RuleSetRcu::reclaim() {
  std::erase_if(retired_, [this](const Retired& r) {
    if (rte_rcu_qsbr_check(qsbr_, r.token, false) != 1) return false;
    delete r.rules;
    return true;
  });
  return retired_.size();
}

}  // namespace rampart::dp
