#include "dataplane/port/port.h"

#include <rte_ethdev.h>

#include <cstring>

#include <fmt/format.h>

namespace rampart::dp {
namespace {

// The Toeplitz key made of one repeated 16-bit pattern hashes (a, b) and
// (b, a) to the same value, so both directions of a flow reach one queue
// (Woo & Park, "Scalable TCP Session Monitoring with Symmetric RSS").
constexpr uint8_t kSymmetricRssKeyByte0 = 0x6d;
constexpr uint8_t kSymmetricRssKeyByte1 = 0x5a;

}  // namespace

Result<PortInfo> setup_port(uint16_t port, const PortOptions& opt, rte_mempool* pool) {
  PortInfo info;
  char name[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(port, name);
  info.name = name;
  rte_eth_dev_info dev{};
  int rc = rte_eth_dev_info_get(port, &dev);
  if (rc != 0) return Error{fmt::format("port {} ({}): cannot read device info: {}", port, name, rte_strerror(-rc))};
  info.driver = dev.driver_name != nullptr ? dev.driver_name : "";
  if (dev.max_rx_queues < opt.queues || dev.max_tx_queues < opt.queues) {
    return Error{fmt::format("port {} ({}): {} workers need {} queue pairs, the device has {} rx / {} tx", port,
                             name, opt.queues, opt.queues, dev.max_rx_queues, dev.max_tx_queues)};
  }
  rte_eth_conf conf{};
  static uint8_t rss_key[128];
  if (opt.queues > 1 && dev.flow_type_rss_offloads != 0) {
    const uint32_t key_len = dev.hash_key_size != 0 ? dev.hash_key_size : 40;
    for (uint32_t i = 0; i < key_len && i < sizeof(rss_key); ++i)
      rss_key[i] = (i % 2 == 0) ? kSymmetricRssKeyByte0 : kSymmetricRssKeyByte1;
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_key = rss_key;
    conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<uint8_t>(key_len);
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_SCTP) & dev.flow_type_rss_offloads;
    info.rss = true;
  }
  conf.rxmode.mtu = opt.mtu;
  const uint32_t frame = opt.mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 8;  // + two VLAN tags
  const uint32_t room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
  if (frame > room) {
    if (dev.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) {
      conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
      info.scatter = true;
    } else if (dev.max_rx_pktlen < frame) {
      return Error{fmt::format("port {} ({}): MTU {} is beyond the device's maximum frame of {} bytes", port, name,
                               opt.mtu, dev.max_rx_pktlen)};
    } else {
      // Some virtual devices (net_pcap, net_af_packet) chain segments
      // themselves without advertising scattered RX.
      info.scatter = false;
    }
  }
  if (dev.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
  if (opt.rx_timestamp && (dev.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP)) {
    conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    info.timestamps = true;
  }
  rc = rte_eth_dev_configure(port, opt.queues, opt.queues, &conf);
  if (rc != 0) return Error{fmt::format("port {} ({}): configure: {}", port, name, rte_strerror(-rc))};
  uint16_t rxd = opt.rx_desc, txd = opt.tx_desc;
  rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
  if (rc != 0) return Error{fmt::format("port {} ({}): descriptors: {}", port, name, rte_strerror(-rc))};
  const int socket = rte_eth_dev_socket_id(port);
  for (uint16_t q = 0; q < opt.queues; ++q) {
    rte_eth_rxconf rxc = dev.default_rxconf;
    rxc.offloads = conf.rxmode.offloads;
    rc = rte_eth_rx_queue_setup(port, q, rxd, static_cast<unsigned>(socket < 0 ? 0 : socket), &rxc, pool);
    if (rc != 0) return Error{fmt::format("port {} ({}): rx queue {}: {}", port, name, q, rte_strerror(-rc))};
    rte_eth_txconf txc = dev.default_txconf;
    txc.offloads = conf.txmode.offloads;
    rc = rte_eth_tx_queue_setup(port, q, txd, static_cast<unsigned>(socket < 0 ? 0 : socket), &txc);
    if (rc != 0) return Error{fmt::format("port {} ({}): tx queue {}: {}", port, name, q, rte_strerror(-rc))};
  }
  rc = rte_eth_dev_start(port);
  if (rc != 0) return Error{fmt::format("port {} ({}): start: {}", port, name, rte_strerror(-rc))};
  // Not every virtual device knows promiscuous mode (net_pcap, net_null);
  // those receive everything anyway.
  (void)rte_eth_promiscuous_enable(port);
  return info;
}

}  // namespace rampart::dp
