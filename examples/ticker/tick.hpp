// The ticker's wire protocol: one tick is a two-frame message.
//
//   frame 1  symbol   UTF-8 text, 1-16 bytes   the topic: SUB filters on its prefix
//   frame 2  quote    56 bytes, little-endian:
//              u64 seq      per-symbol sequence number, 1 for the first tick
//              i64 time_ns  publisher's clock, nanoseconds since the Unix epoch
//              f64 price    last trade
//              f64 open     first price of the publisher's session
//              f64 bid
//              f64 ask
//              u64 volume   shares in the last trade
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <zmq.hpp>

#include "common/codec.hpp"

namespace ticker {

constexpr std::size_t max_symbol_size = 16;
constexpr std::size_t quote_size = 56;

struct tick {
    std::string symbol;
    std::uint64_t seq = 0;
    std::int64_t time_ns = 0;
    double price = 0;
    double open = 0;
    double bid = 0;
    double ask = 0;
    std::uint64_t volume = 0;
};

std::array<zmq::message_t, 2> encode(const tick& t);
common::result<tick> decode(common::frames msg);

}  // namespace ticker
