// The query language's parser (examples/query/protocol.hpp, parse): any text
// in, a request or an error saying where; never a crash. A request written
// back as canonical text parses to the same request; field() reads anything.
#include <charconv>
#include <cmath>
#include <string>

#include "fuzz.hpp"
#include "protocol.hpp"

namespace {

std::string canonical(const query::request& r)
{
    using query::verb;
    const std::string sym(r.symbol), n = std::to_string(r.n);
    switch (r.what) {
    case verb::last: return "LAST " + sym;
    case verb::stats: return "stats " + sym + (r.n == 0 ? "" : " " + n);
    case verb::history: return "HISTORY " + sym + " " + n;
    case verb::top: return "TOP " + n + (r.gainers ? " gainers" : " LOSERS");
    case verb::symbols: return "  SYMBOLS ";
    case verb::snapshot: return "SNAPSHOT " + sym;
    case verb::watch: {
        char price[32];
        const auto end = std::to_chars(price, price + sizeof price, r.price).ptr;  // shortest exact form
        return "WATCH " + sym + (r.above ? " > " : " < ") + std::string(price, end) +
               (r.token.empty() ? "" : " " + std::string(r.token));
    }
    case verb::help: return "help";
    }
    return "";
}

bool inside(std::string_view part, std::string_view text)
{
    return part.empty() || (part.data() >= text.data() && part.data() + part.size() <= text.data() + text.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using query::verb;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)query::field(text, "price");

    const auto r = query::parse(text);
    if (!r) {
        FUZZ_CHECK(r.error().starts_with("column "));
        return 0;
    }
    FUZZ_CHECK(inside(r->symbol, text) && inside(r->token, text));
    const bool has_symbol = r->what == verb::last || r->what == verb::stats || r->what == verb::history ||
                            r->what == verb::snapshot || r->what == verb::watch;
    FUZZ_CHECK(has_symbol ? query::valid_symbol(r->symbol) : r->symbol.empty());
    FUZZ_CHECK(r->n <= query::max_count);
    if (r->what == verb::history || r->what == verb::top) FUZZ_CHECK(r->n >= 1);
    if (r->what == verb::watch) FUZZ_CHECK(r->price > 0 && std::isfinite(r->price) && (r->token.empty() || query::valid_token(r->token)));

    const auto again = canonical(*r);
    const auto r2 = query::parse(again);
    FUZZ_CHECK(r2 && r2->what == r->what && r2->symbol == r->symbol && r2->n == r->n && r2->gainers == r->gainers &&
               r2->above == r->above && r2->price == r->price && r2->token == r->token);
    return 0;
}
