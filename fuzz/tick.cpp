// The ticker's tick decoder (examples/ticker/tick.hpp): any frames in, a tick
// or an error out, never a crash; a tick encodes back to the same bytes.
#include "fuzz.hpp"
#include "tick.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto msg = fuzz::frames(data, size);
    const auto t = ticker::decode(msg);
    if (t) FUZZ_CHECK(fuzz::same_frames(ticker::encode(*t), msg));
    return 0;
}
