#include "tick.hpp"

#include <cmath>

namespace ticker {

// slide: ticker-encode
std::array<zmq::message_t, 2> encode(const tick& t)
{
    auto quote = common::frame_writer(quote_size)
                     .put(t.seq).put(t.time_ns)
                     .put(t.price).put(t.open).put(t.bid).put(t.ask)
                     .put(t.volume)
                     .done();
    return {zmq::message_t(t.symbol), std::move(quote)};
}
// end slide

common::result<tick> decode(common::frames msg)
{
    using failure = common::result<tick>;
    if (auto ok = common::expect_frames(msg, 2); !ok) return failure::failure(ok.error());
    auto symbol = common::text_frame(msg[0], max_symbol_size, "symbol");
    if (!symbol) return failure::failure(symbol.error());
    if (auto ok = common::expect_size(msg[1], quote_size, "quote"); !ok) return failure::failure(ok.error());

    common::frame_reader r(msg[1]);
    tick t{std::string(*symbol), r.get<std::uint64_t>(), r.get<std::int64_t>(), r.get<double>(),
           r.get<double>(),      r.get<double>(),        r.get<double>(),       r.get<std::uint64_t>()};
    if (!std::isfinite(t.price) || !std::isfinite(t.open) || !std::isfinite(t.bid) || !std::isfinite(t.ask))
        return failure::failure("quote holds a price that is not a finite number");
    return t;
}

}  // namespace ticker
