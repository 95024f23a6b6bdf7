// The query engine's frame decoders (examples/query): the client's reply
// decoder, the SNAPSHOT state and the updates and watch matches off the SUB.
// What each accepts encodes back to the same bytes.
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace query;
    const auto msg = fuzz::frames(data, size);
    if (msg.empty()) return 0;

    if (const auto s = decode_state(msg[0])) {
        FUZZ_CHECK(fuzz::text(encode_state(*s)) == fuzz::text(msg[0]));
        FUZZ_CHECK(*decode_state(encode_state(*s)) == *s);
    }

    if (const auto r = decode_reply(msg)) {
        std::vector<zmq::message_t> again;
        again.emplace_back(r->ok ? word::ok : word::error);
        again.emplace_back(r->text);
        if (r->state) {
            again.emplace_back(r->symbol);
            again.push_back(encode_state(*r->state));
        }
        FUZZ_CHECK(common::valid_utf8(r->text) && fuzz::same_frames(again, msg));
    }

    if (const auto u = decode_update(msg)) {
        auto tick = ticker::encode(u->tick);
        std::vector<zmq::message_t> again;
        if (u->condition.empty()) {
            FUZZ_CHECK(u->topic == std::string(update_prefix) + u->tick.symbol);
            again.emplace_back(u->topic);
        } else {
            FUZZ_CHECK(u->topic.starts_with(watch_prefix));
            again.emplace_back(u->topic);
            again.emplace_back(u->condition);
            again.push_back(std::move(tick[0]));
        }
        again.push_back(std::move(tick[1]));
        FUZZ_CHECK(fuzz::same_frames(again, msg));

        symbol_state s;  // a replica applying it: no overflow trap, no NaN
        s.apply(u->tick);
        s.apply(u->tick);
        FUZZ_CHECK(s.ticks == 2 && s.high == u->tick.price && s.low == u->tick.price);
    }
    return 0;
}
