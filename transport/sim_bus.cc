#include "transport/sim_bus.h"

namespace maxq::transport {

Bytes SimBus::run(const std::vector<SpiOp>& ops) {
  Bytes rx;
  for (const SpiOp& op : ops) {
    switch (op.kind) {
      case SpiOp::Kind::Select: chip_->select(); break;
      case SpiOp::Kind::Deselect: chip_->deselect(); break;
      case SpiOp::Kind::Transfer: {
        size_t at = rx.size();
        rx.resize(at + op.tx.size());
        chip_->transfer(op.tx.data(), rx.data() + at, op.tx.size());
        break;
      }
    }
  }
  return rx;
}

}  // namespace maxq::transport
