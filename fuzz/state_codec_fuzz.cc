// The simulated chip's state file format (untrusted: anyone who can write
// the file). A state that decodes encodes again and decodes to the same.
#include <cstdlib>

#include "simulator/sim_crypto.h"
#include "simulator/state_codec.h"
#include "simulator/state_error.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Never destroyed: it outlives the fuzzer loop and needs no teardown.
  static sim::SimCrypto& crypto = *new sim::SimCrypto;
  uint64_t generation = 0;
  try {
    sim::PersistentState state =
        sim::decode_state(ByteView(data, size), "fuzz.state", generation, crypto);
    Bytes again = sim::encode_state(state, generation, crypto);
    uint64_t g2 = 0;
    sim::decode_state(again, "fuzz.state", g2, crypto);
    if (g2 != generation) std::abort();
  } catch (const sim::StateError&) {
  }
  (void)sim::peek_generation(ByteView(data, size));
  return 0;
}
