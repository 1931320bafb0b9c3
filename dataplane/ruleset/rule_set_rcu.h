#pragma once
// RuleSetRcu: the one place workers get their RuleSet from. The control
// thread publishes a new immutable RuleSet with one atomic store; workers
// read the pointer once per burst and report a quiescent state once per
// loop (rte_rcu_qsbr); the old RuleSet is freed only after every worker has
// passed a quiescent state since the swap. No worker ever waits, and no
// sleep stands in for the grace period.
//
// Threads: publish()/reclaim() from the control thread only; current() and
// quiescent() from registered workers.

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "dataplane/ruleset/rule_set.h"

namespace rampart::dp {

class RuleSetRcu {
 public:
  static Result<std::unique_ptr<RuleSetRcu>> create(uint32_t max_workers, std::unique_ptr<const RuleSet> initial);
  ~RuleSetRcu();
  RuleSetRcu(const RuleSetRcu&) = delete;
  RuleSetRcu& operator=(const RuleSetRcu&) = delete;

  const RuleSet& current() const { return *cur_.load(std::memory_order_acquire); }

  // Worker side.
  void worker_online(uint32_t worker_id);
  void worker_offline(uint32_t worker_id);
  void quiescent(uint32_t worker_id) { rte_rcu_qsbr_quiescent(qsbr_, worker_id); }

  // Control side.
  void publish(std::unique_ptr<const RuleSet> next);
  // Frees every retired RuleSet whose grace period has ended; returns how
  // many are still waiting.
  std::size_t reclaim();

 private:
  RuleSetRcu(rte_rcu_qsbr* q, const RuleSet* initial) : cur_(initial), qsbr_(q) {}
  struct Retired {
    uint64_t token;
    const RuleSet* rules;
  };
  std::atomic<const RuleSet*> cur_;
  rte_rcu_qsbr* qsbr_;
  std::vector<Retired> retired_;
};

}  // namespace rampart::dp
