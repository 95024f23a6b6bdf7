// Every workflow message decoder (examples/workflow/protocol.hpp) on the same
// frames: at most one accepts them (by the type frame), and what it accepts
// encodes back to the same bytes.
#include "fuzz.hpp"
#include "protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace workflow;
    const auto msg = fuzz::frames(data, size);
    int accepted = 0;
    if (const auto t = decode_task(msg)) {
        ++accepted;
        FUZZ_CHECK(fuzz::same_frames(encode(*t), msg));
        FUZZ_CHECK(check(*t).empty() && t->id < t->count);
    }
    if (const auto r = decode_result(msg)) {
        ++accepted;
        FUZZ_CHECK(fuzz::same_frames(encode(*r), msg));
    }
    if (const auto h = decode_hello(msg)) {
        ++accepted;
        FUZZ_CHECK(fuzz::same_frames(encode(*h), msg));
    }
    if (const auto d = decode_done(msg)) {
        ++accepted;
        FUZZ_CHECK(fuzz::same_frames(encode(*d), msg));
        FUZZ_CHECK(!d->ids.empty() && d->ids.size() <= max_done_ids);
    }
    if (const auto e = decode_end(msg)) {
        ++accepted;
        FUZZ_CHECK(fuzz::same_frames(encode(*e), msg));
    }
    if (const auto b = decode_bye(msg)) {
        ++accepted;
        FUZZ_CHECK(fuzz::same_frames(encode(*b), msg));
    }
    FUZZ_CHECK(accepted <= 1);
    return 0;
}
