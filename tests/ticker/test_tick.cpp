#include "catch.hpp"
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "market.hpp"
#include "tick.hpp"

namespace {

ticker::tick sample()
{
    return {"AAPL", 42, 1'700'000'000'000'000'000, 189.25, 188.0, 189.24, 189.26, 300};
}

std::vector<zmq::message_t> as_vector(std::array<zmq::message_t, 2>&& frames)
{
    std::vector<zmq::message_t> v;
    for (auto& f : frames) v.push_back(std::move(f));
    return v;
}

}  // namespace

TEST_CASE("a tick survives encode and decode", "[tick]")
{
    const auto msg = as_vector(ticker::encode(sample()));
    REQUIRE(msg.size() == 2);
    CHECK(msg[0].to_string() == "AAPL");
    CHECK(msg[1].size() == ticker::quote_size);

    const auto t = ticker::decode(msg);
    REQUIRE(t);
    CHECK(t->symbol == "AAPL");
    CHECK(t->seq == 42);
    CHECK(t->time_ns == 1'700'000'000'000'000'000);
    CHECK(t->price == 189.25);
    CHECK(t->open == 188.0);
    CHECK(t->bid == 189.24);
    CHECK(t->ask == 189.26);
    CHECK(t->volume == 300);
}

TEST_CASE("the quote frame's layout is the documented one", "[tick]")
{
    const auto msg = as_vector(ticker::encode(sample()));
    const auto* b = static_cast<const unsigned char*>(msg[1].data());
    CHECK(b[0] == 42);  // u64 seq, little-endian, at offset 0
    double price;
    std::memcpy(&price, b + 16, 8);  // f64 price at offset 16
    CHECK(price == 189.25);
    std::uint64_t volume;
    std::memcpy(&volume, b + 48, 8);  // u64 volume at offset 48
    CHECK(volume == 300);
}

TEST_CASE("every malformed tick is an error value", "[tick]")
{
    auto msg = as_vector(ticker::encode(sample()));
    auto error_of = [](const std::vector<zmq::message_t>& m) { return ticker::decode(m).error(); };

    SECTION("too few frames") { msg.pop_back(); CHECK(error_of(msg) == "expected 2 frames, got 1"); }
    SECTION("too many frames") { msg.emplace_back(); CHECK(error_of(msg) == "expected 2 frames, got 3"); }
    SECTION("no frames") { msg.clear(); CHECK(error_of(msg) == "expected 2 frames, got 0"); }
    SECTION("quote too short") { msg[1] = zmq::message_t(55); CHECK(error_of(msg) == "quote frame must be 56 bytes, got 55"); }
    SECTION("quote too long") { msg[1] = zmq::message_t(57); CHECK(error_of(msg) == "quote frame must be 56 bytes, got 57"); }
    SECTION("empty symbol") { msg[0] = zmq::message_t(); CHECK(error_of(msg) == "symbol is empty"); }
    SECTION("symbol too long") { msg[0] = zmq::message_t(std::string(17, 'X')); CHECK(error_of(msg) == "symbol is longer than 16 bytes"); }
    SECTION("symbol not UTF-8") { msg[0] = zmq::message_t(std::string("AA\xC0")); CHECK(error_of(msg) == "symbol is not valid UTF-8"); }
    SECTION("price not a number")
    {
        auto t = sample();
        t.price = std::numeric_limits<double>::quiet_NaN();
        CHECK(error_of(as_vector(ticker::encode(t))) == "quote holds a price that is not a finite number");
    }
}

TEST_CASE("the market is reproducible from its seed", "[market]")
{
    ticker::market a(ticker::default_symbols(), 7), b(ticker::default_symbols(), 7), c(ticker::default_symbols(), 8);
    bool differs = false;
    for (int i = 0; i < 1000; ++i) {
        const auto ta = a.next(), tb = b.next(), tc = c.next();
        REQUIRE(ta.symbol == tb.symbol);
        REQUIRE(ta.price == tb.price);
        differs = differs || ta.symbol != tc.symbol || ta.price != tc.price;
        CHECK(ta.price > 0);
        CHECK(ta.bid < ta.price);
        CHECK(ta.ask > ta.price);
        CHECK(ta.volume % 100 == 0);
        CHECK(std::abs(ta.price * 100 - std::round(ta.price * 100)) < 1e-6);  // whole cents
    }
    CHECK(differs);
}

TEST_CASE("sequence numbers count per symbol from 1", "[market]")
{
    ticker::market m({"ONE", "TWO"}, 1);
    std::map<std::string, std::uint64_t> last;
    for (int i = 0; i < 200; ++i) {
        const auto& t = m.next();
        CHECK(t.seq == last[t.symbol] + 1);
        last[t.symbol] = t.seq;
    }
}
