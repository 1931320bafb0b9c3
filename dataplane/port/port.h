#pragma once
// Port setup: configure a DPDK port (PCI or vdev) with one RX and one TX
// queue per worker, symmetric RSS where the device supports it, promiscuous
// mode (a bump in the wire forwards frames addressed to anyone), MTU and,
// above the mbuf size, scattered RX / multi-segment TX. Cold path.

#include <rte_mempool.h>

#include <cstdint>
#include <string>

#include "common/result.h"

namespace rampart::dp {

struct PortOptions {
  uint16_t queues = 1;
  uint16_t mtu = 1500;
  bool rx_timestamp = false;  // ask the PMD for rx timestamps (net_pcap: capture time)
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
};

struct PortInfo {
  std::string name;
  std::string driver;
  bool rss = false;
  bool scatter = false;
  bool timestamps = false;
};

Result<PortInfo> setup_port(uint16_t port, const PortOptions& opt, rte_mempool* pool);

}  // namespace rampart::dp
