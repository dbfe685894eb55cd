#include "simulated_links/sim_bus.h"

#include "simulator/state_error.h"
#include "transport/errors.h"
#include "wire/openssl_handles.h"

namespace maxq::transport {

Bytes SimBus::run(const std::vector<SpiOp>& ops) {
  // The model computes with libcrypto on this thread; what it leaves on the
  // thread's error queue (a refused peer point, say) is the chip's business,
  // not the host's: a real chip cannot touch it, so neither may the model.
  ossl::ErrorQueueMark mark;
  Bytes rx;
  try {
    run_ops(ops, rx);
  } catch (const sim::StateError& e) {
    // The chip's state file became unusable under it (removed, damaged,
    // locked by a process that never lets go): the link is gone, in the
    // transport's own terms.
    throw LinkError(LinkError::Kind::Io, describe() + ": " + e.what());
  }
  return rx;
}

void SimBus::run_ops(const std::vector<SpiOp>& ops, Bytes& rx) {
  for (const SpiOp& op : ops) {
    switch (op.kind) {
      case SpiOp::Kind::Select:
        chip_->select();
        break;
      case SpiOp::Kind::Deselect:
        chip_->deselect();
        break;
      case SpiOp::Kind::Transfer: {
        size_t at = rx.size();
        rx.resize(at + op.tx.size());
        chip_->transfer(op.tx.data(), rx.data() + at, op.tx.size());
        break;
      }
    }
  }
}

}  // namespace maxq::transport
