// The query language, the state frame, updates, and the store's answers.
#include "catch.hpp"
#include <zmq_addon.hpp>

#include "protocol.hpp"
#include "store.hpp"

namespace {

ticker::tick tick(std::string symbol, std::uint64_t seq, double price, std::uint64_t volume = 100)
{
    return {std::move(symbol), seq, static_cast<std::int64_t>(seq) * 10, price, 100.0, price - 0.01, price + 0.01, volume};
}

std::string error_of(std::string_view text)
{
    const auto r = query::parse(text);
    return r ? "(parsed)" : r.error();
}

}  // namespace

TEST_CASE("the query language: every query parses into its parts", "[parse]")
{
    auto r = query::parse("LAST AAPL");
    REQUIRE(r);
    CHECK(r->what == query::verb::last);
    CHECK(r->symbol == "AAPL");

    r = query::parse("  stats   MSFT  ");
    REQUIRE(r);
    CHECK(r->what == query::verb::stats);
    CHECK(r->n == 0);
    r = query::parse("STATS MSFT 20");
    REQUIRE(r);
    CHECK(r->n == 20);

    r = query::parse("History IBM 1000");
    REQUIRE(r);
    CHECK((r->what == query::verb::history && r->symbol == "IBM" && r->n == 1000));

    r = query::parse("TOP 3 losers");
    REQUIRE(r);
    CHECK((r->what == query::verb::top && r->n == 3 && !r->gainers));
    r = query::parse("TOP 1 GAINERS");
    REQUIRE(r);
    CHECK(r->gainers);

    CHECK(query::parse("SYMBOLS")->what == query::verb::symbols);
    CHECK(query::parse("help")->what == query::verb::help);
    CHECK(query::parse("SNAPSHOT BRK.B")->symbol == "BRK.B");

    r = query::parse("WATCH AAPL > 190.5");
    REQUIRE(r);
    CHECK((r->what == query::verb::watch && r->above && r->price == 190.5 && r->token.empty()));
    r = query::parse("WATCH AAPL < 1e2 my-token");
    REQUIRE(r);
    CHECK((!r->above && r->price == 100 && r->token == "my-token"));
}

TEST_CASE("the query language: every malformed query gets what is wrong and where", "[parse]")
{
    CHECK(error_of("") == "column 1: expected a query (LAST, STATS, HISTORY, TOP, SYMBOLS, SNAPSHOT, WATCH, HELP), got the end of the query");
    CHECK(error_of("   ") == "column 4: expected a query (LAST, STATS, HISTORY, TOP, SYMBOLS, SNAPSHOT, WATCH, HELP), got the end of the query");
    CHECK(error_of("PRICE AAPL") == "column 1: unknown query (expected LAST, STATS, HISTORY, TOP, SYMBOLS, SNAPSHOT, WATCH or HELP), got 'PRICE'");
    CHECK(error_of("LAST") == "column 5: expected a symbol (1 to 16 printable characters), got the end of the query");
    CHECK(error_of("LAST ABCDEFGHIJKLMNOPQ") == "column 6: expected a symbol (1 to 16 printable characters), got 'ABCDEFGHIJKLMNOPQ'");
    CHECK(error_of("LAST AAPL MSFT") == "column 11: unexpected word after the query, got 'MSFT'");
    CHECK(error_of("STATS AAPL 0") == "column 12: expected a whole number from 1 to 1000 for n, got '0'");
    CHECK(error_of("STATS AAPL 1001") == "column 12: expected a whole number from 1 to 1000 for n, got '1001'");
    CHECK(error_of("STATS AAPL 5 6") == "column 14: unexpected word after the query, got '6'");
    CHECK(error_of("HISTORY AAPL") == "column 13: expected a whole number from 1 to 1000 for n, got the end of the query");
    CHECK(error_of("HISTORY AAPL -3") == "column 14: expected a whole number from 1 to 1000 for n, got '-3'");
    CHECK(error_of("HISTORY AAPL 2.5") == "column 14: expected a whole number from 1 to 1000 for n, got '2.5'");
    CHECK(error_of("TOP GAINERS") == "column 5: expected a whole number from 1 to 1000 for n, got 'GAINERS'");
    CHECK(error_of("TOP 3") == "column 6: expected GAINERS or LOSERS, got the end of the query");
    CHECK(error_of("TOP 3 WINNERS") == "column 7: expected GAINERS or LOSERS, got 'WINNERS'");
    CHECK(error_of("SYMBOLS AAPL") == "column 9: unexpected word after the query, got 'AAPL'");
    CHECK(error_of("SNAPSHOT") == "column 9: expected a symbol (1 to 16 printable characters), got the end of the query");
    CHECK(error_of("WATCH AAPL") == "column 11: expected > or <, got the end of the query");
    CHECK(error_of("WATCH AAPL >= 5") == "column 12: expected > or <, got '>='");
    CHECK(error_of("WATCH AAPL > cheap") == "column 14: expected a price (a number above 0), got 'cheap'");
    CHECK(error_of("WATCH AAPL > -1") == "column 14: expected a price (a number above 0), got '-1'");
    CHECK(error_of("WATCH AAPL > nan") == "column 14: expected a price (a number above 0), got 'nan'");
    CHECK(error_of("WATCH AAPL > 5 " + std::string(33, 't')) ==
          "column 16: expected a token of 1 to 32 printable characters, got '" + std::string(24, 't') + "...'");
    CHECK(error_of("WATCH AAPL > 5 tok extra") == "column 20: unexpected word after the query, got 'extra'");
    CHECK(error_of("LAST AAPL\n") == "column 10: a control character; a query is one line of text");
    CHECK(error_of("LAST\tAAPL") == "column 5: a control character; a query is one line of text");
    CHECK(error_of(std::string(300, 'A')) == "column 257: the query is longer than 256 bytes");
    CHECK(error_of("LAST \xC3\xA9t\xC3\xA9") == "column 6: expected a symbol (1 to 16 printable characters), got '\\xC3\\xA9t\\xC3\\xA9'");
}

TEST_CASE("the state frame: round trip, wrong size, not a number", "[protocol]")
{
    query::symbol_state s;
    s.apply(tick("AAPL", 1, 101.5, 300));
    s.apply(tick("AAPL", 2, 99.25, 200));
    CHECK(s.seq == 2);
    CHECK(s.high == 101.5);
    CHECK(s.low == 99.25);
    CHECK(s.ticks == 2);
    CHECK(s.volume == 500);
    const auto frame = query::encode_state(s);
    CHECK(frame.size() == query::state_size);
    const auto back = query::decode_state(frame);
    REQUIRE(back);
    CHECK(*back == s);

    CHECK(query::decode_state(zmq::message_t(79)).error() == "state frame must be 80 bytes, got 79");
    s.high = std::numeric_limits<double>::infinity();
    CHECK_FALSE(query::decode_state(query::encode_state(s)));
}

TEST_CASE("updates and watch matches off the wire, and malformed ones", "[protocol]")
{
    const auto t = tick("AAPL", 7, 190.25);
    auto quote = ticker::encode(t);
    std::vector<zmq::message_t> update;
    update.emplace_back(std::string("sym:AAPL"));
    update.push_back(std::move(quote[1]));
    auto u = query::decode_update(update);
    REQUIRE(u);
    CHECK(u->tick.symbol == "AAPL");
    CHECK(u->tick.seq == 7);
    CHECK(u->condition.empty());

    std::vector<zmq::message_t> hit;
    hit.emplace_back(std::string("watch:tok"));
    hit.emplace_back(std::string("AAPL > 190"));
    hit.emplace_back(std::string("AAPL"));
    hit.push_back(std::move(ticker::encode(t)[1]));
    u = query::decode_update(hit);
    REQUIRE(u);
    CHECK(u->condition == "AAPL > 190");
    CHECK(u->tick.price == 190.25);

    update.emplace_back(std::string("extra"));
    CHECK(query::decode_update(update).error() == "an update has 2 frames, not 3");
    hit.pop_back();
    CHECK(query::decode_update(hit).error() == "a watch match has 4 frames, not 3");
    std::vector<zmq::message_t> other;
    other.emplace_back(std::string("news"));
    CHECK(query::decode_update(other).error() == "unknown topic 'news'");
    std::vector<zmq::message_t> short_quote;
    short_quote.emplace_back(std::string("sym:AAPL"));
    short_quote.emplace_back(std::string("tiny"));
    CHECK_FALSE(query::decode_update(short_quote));
}

TEST_CASE("field() reads key=value numbers out of a reply", "[protocol]")
{
    const std::string text = "AAPL last=187.25 bid=187.2 ask=187.3 seq=42\nseq=43 price=1";
    CHECK(query::field(text, "last") == 187.25);
    CHECK(query::field(text, "seq") == 42);
    CHECK(query::field(text, "price") == 1);
    CHECK_FALSE(query::field(text, "st"));  // not "last"
    CHECK_FALSE(query::field(text, "volume"));
}

TEST_CASE("the store: answers, repeats, a bounded history", "[store]")
{
    query::store st(3);
    CHECK(st.apply(tick("AAPL", 1, 100, 10)));
    CHECK(st.apply(tick("AAPL", 2, 104, 20)));
    CHECK_FALSE(st.apply(tick("AAPL", 2, 999)));  // a repeat
    CHECK(st.apply(tick("AAPL", 3, 98, 30)));
    CHECK(st.apply(tick("AAPL", 4, 101, 40)));
    CHECK(st.apply(tick("MSFT", 1, 90)));  // down 10% from its open (100)

    std::string text;
    auto ask = [&](std::string_view q) {
        const auto r = query::parse(q);
        REQUIRE(r);
        return st.answer(*r, text);
    };
    REQUIRE(ask("LAST AAPL"));
    CHECK(text == "AAPL last=101.00 bid=100.99 ask=101.01 seq=4 time_ns=40");
    REQUIRE(ask("STATS AAPL"));  // every tick kept: the last 3
    CHECK(text == "AAPL ticks=3 open=104.00 high=104.00 low=98.00 close=101.00 average=101.0000 volume=90 from_seq=2 to_seq=4");
    REQUIRE(ask("STATS AAPL 2"));
    CHECK(text == "AAPL ticks=2 open=98.00 high=101.00 low=98.00 close=101.00 average=99.5000 volume=70 from_seq=3 to_seq=4");
    REQUIRE(ask("HISTORY AAPL 10"));
    CHECK(text == "seq=2 time_ns=20 price=104.00 bid=103.99 ask=104.01 volume=20\n"
                  "seq=3 time_ns=30 price=98.00 bid=97.99 ask=98.01 volume=30\n"
                  "seq=4 time_ns=40 price=101.00 bid=100.99 ask=101.01 volume=40");
    REQUIRE(ask("TOP 5 GAINERS"));
    CHECK(text == "1 AAPL last=101.00 open=100.00 change=+1.0000%\n2 MSFT last=90.00 open=100.00 change=-10.0000%");
    REQUIRE(ask("TOP 1 LOSERS"));
    CHECK(text == "1 MSFT last=90.00 open=100.00 change=-10.0000%");
    REQUIRE(ask("SYMBOLS"));
    CHECK(text == "AAPL ticks=4\nMSFT ticks=1");
    CHECK_FALSE(ask("LAST IBM"));
    CHECK(text == "no ticks for symbol 'IBM' (SYMBOLS lists the symbols seen)");
    const query::symbol_state* state = nullptr;
    REQUIRE(st.answer(*query::parse("SNAPSHOT AAPL"), text, &state));
    REQUIRE(state != nullptr);
    CHECK(state->ticks == 4);  // the state counts every tick, the history keeps 3
    CHECK(state->high == 104);
    CHECK(state->low == 98);

    CHECK(st.apply(tick("AAPL", 1, 50)));  // the feed restarted: AAPL starts again
    REQUIRE(ask("SYMBOLS"));
    CHECK(text == "AAPL ticks=1\nMSFT ticks=1");
    REQUIRE(ask("HISTORY AAPL 5"));
    CHECK(text == "seq=1 time_ns=10 price=50.00 bid=49.99 ask=50.01 volume=100");
}
