#include "protocol.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace query {

void symbol_state::apply(const ticker::tick& t)
{
    seq = t.seq;
    time_ns = t.time_ns;
    last = t.price;
    bid = t.bid;
    ask = t.ask;
    open = t.open;
    high = ticks == 0 ? t.price : std::max(high, t.price);
    low = ticks == 0 ? t.price : std::min(low, t.price);
    ++ticks;
    volume += t.volume;
}

zmq::message_t encode_state(const symbol_state& s)
{
    return common::frame_writer(state_size)
        .put(s.seq).put(s.time_ns)
        .put(s.last).put(s.bid).put(s.ask).put(s.open).put(s.high).put(s.low)
        .put(s.ticks).put(s.volume)
        .done();
}

common::result<symbol_state> decode_state(const zmq::message_t& frame)
{
    using failure = common::result<symbol_state>;
    if (auto ok = common::expect_size(frame, state_size, "state"); !ok) return failure::failure(ok.error());
    common::frame_reader r(frame);
    symbol_state s;
    s.seq = r.get<std::uint64_t>();
    s.time_ns = r.get<std::int64_t>();
    for (double* d : {&s.last, &s.bid, &s.ask, &s.open, &s.high, &s.low}) {
        *d = r.get<double>();
        if (!std::isfinite(*d)) return failure::failure("state holds a price that is not a finite number");
    }
    s.ticks = r.get<std::uint64_t>();
    s.volume = r.get<std::uint64_t>();
    return s;
}

namespace {

bool printable_word(std::string_view s, std::size_t max_size)
{
    return !s.empty() && s.size() <= max_size &&
           std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
}

// Splits a query into words, remembering where each starts (for errors).
class words {
public:
    explicit words(std::string_view text) : text_(text) {}

    // The next word, or an empty view at the end; column() is where it starts.
    std::string_view next()
    {
        while (at_ < text_.size() && text_[at_] == ' ') ++at_;
        start_ = at_;
        while (at_ < text_.size() && text_[at_] != ' ') ++at_;
        return text_.substr(start_, at_ - start_);
    }
    std::size_t column() const { return start_ + 1; }

private:
    std::string_view text_;
    std::size_t at_ = 0;
    std::size_t start_ = 0;
};

bool same_word(std::string_view a, std::string_view keyword)  // keyword in upper case
{
    return a.size() == keyword.size() &&
           std::equal(a.begin(), a.end(), keyword.begin(), [](char x, char k) {
               return (x >= 'a' && x <= 'z' ? static_cast<char>(x - 'a' + 'A') : x) == k;
           });
}

std::string quoted(std::string_view word)
{
    return word.empty() ? "the end of the query" : "'" + common::printable(word, 24) + "'";
}

class parser {
public:
    explicit parser(std::string_view text) : words_(text) {}

    common::result<request> run()
    {
        request r;
        const auto keyword = words_.next();
        if (keyword.empty()) return fail("expected a query (LAST, STATS, HISTORY, TOP, SYMBOLS, SNAPSHOT, WATCH, HELP)", keyword);
        if (same_word(keyword, "LAST")) {
            r.what = verb::last;
            if (!symbol(r)) return *error_;
        } else if (same_word(keyword, "STATS")) {
            r.what = verb::stats;
            if (!symbol(r)) return *error_;
            if (auto w = words_.next(); !w.empty() && !count(w, r.n, "n")) return *error_;
            else if (w.empty()) return r;
        } else if (same_word(keyword, "HISTORY")) {
            r.what = verb::history;
            if (!symbol(r) || !count(words_.next(), r.n, "n")) return *error_;
        } else if (same_word(keyword, "TOP")) {
            r.what = verb::top;
            if (!count(words_.next(), r.n, "n")) return *error_;
            const auto which = words_.next();
            if (same_word(which, "GAINERS")) r.gainers = true;
            else if (same_word(which, "LOSERS")) r.gainers = false;
            else return fail("expected GAINERS or LOSERS", which);
        } else if (same_word(keyword, "SYMBOLS")) {
            r.what = verb::symbols;
        } else if (same_word(keyword, "SNAPSHOT")) {
            r.what = verb::snapshot;
            if (!symbol(r)) return *error_;
        } else if (same_word(keyword, "WATCH")) {
            r.what = verb::watch;
            if (!symbol(r)) return *error_;
            const auto op = words_.next();
            if (op == ">") r.above = true;
            else if (op == "<") r.above = false;
            else return fail("expected > or <", op);
            const auto price = words_.next();
            const auto value = common::parse_double(price);
            if (price.empty() || !value || !std::isfinite(*value) || *value <= 0)
                return fail("expected a price (a number above 0)", price);
            r.price = *value;
            if (auto token = words_.next(); !token.empty()) {
                if (!valid_token(token)) return fail("expected a token of 1 to 32 printable characters", token);
                r.token = token;
            }
        } else if (same_word(keyword, "HELP")) {
            r.what = verb::help;
        } else {
            return fail("unknown query (expected LAST, STATS, HISTORY, TOP, SYMBOLS, SNAPSHOT, WATCH or HELP)", keyword);
        }
        if (const auto extra = words_.next(); !extra.empty()) return fail("unexpected word after the query", extra);
        return r;
    }

private:
    common::result<request> fail(std::string_view what, std::string_view got)
    {
        error_ = common::result<request>::failure("column " + std::to_string(words_.column()) + ": " +
                                                  std::string(what) + ", got " + quoted(got));
        return *error_;
    }
    bool symbol(request& r)
    {
        const auto s = words_.next();
        if (!valid_symbol(s)) {
            fail("expected a symbol (1 to 16 printable characters)", s);
            return false;
        }
        r.symbol = s;
        return true;
    }
    bool count(std::string_view w, std::size_t& n, std::string_view name)
    {
        const auto value = common::parse_int(w);
        if (w.empty() || !value || *value < 1 || *value > static_cast<std::int64_t>(max_count)) {
            fail("expected a whole number from 1 to " + std::to_string(max_count) + " for " + std::string(name), w);
            return false;
        }
        n = static_cast<std::size_t>(*value);
        return true;
    }

    words words_;
    std::optional<common::result<request>> error_;
};

}  // namespace

bool valid_symbol(std::string_view s) { return printable_word(s, ticker::max_symbol_size); }
bool valid_token(std::string_view s) { return printable_word(s, max_token_size); }

common::result<request> parse(std::string_view text)
{
    if (text.size() > max_query_size)
        return common::result<request>::failure("column " + std::to_string(max_query_size + 1) +
                                                ": the query is longer than " + std::to_string(max_query_size) + " bytes");
    for (std::size_t i = 0; i < text.size(); ++i)
        if (static_cast<unsigned char>(text[i]) < ' ' || text[i] == 127)
            return common::result<request>::failure("column " + std::to_string(i + 1) +
                                                    ": a control character; a query is one line of text");
    return parser(text).run();
}

std::optional<double> field(std::string_view text, std::string_view key)
{
    for (std::size_t at = 0; (at = text.find(key, at)) != std::string_view::npos; at += key.size()) {
        const bool starts_word = at == 0 || text[at - 1] == ' ' || text[at - 1] == '\n';
        const auto eq = at + key.size();
        if (!starts_word || eq >= text.size() || text[eq] != '=') continue;
        const auto end = text.find_first_of(" \n", eq + 1);
        const auto value = common::parse_double(text.substr(eq + 1, end == std::string_view::npos ? end : end - eq - 1));
        if (value) return *value;
    }
    return std::nullopt;
}

std::string_view help_text()
{
    return "LAST sym                     last price, bid, ask, sequence number\n"
           "STATS sym [n]                open/high/low/close, average, volume over the last n ticks\n"
           "HISTORY sym n                the last n ticks (n <= 1000), oldest first\n"
           "TOP n GAINERS|LOSERS         symbols by change since the session's open\n"
           "SYMBOLS                      every symbol seen, with its tick count\n"
           "SNAPSHOT sym                 the symbol's state, for a replica that then follows 'sym:' updates\n"
           "WATCH sym >|< price [token]  standing query: matches go to topic 'watch:' + token\n"
           "HELP                         this list";
}

}  // namespace query

namespace query {

common::result<update> decode_update(common::frames msg)
{
    using failure = common::result<update>;
    if (msg.empty()) return failure::failure("an empty message");
    const std::string_view topic(static_cast<const char*>(msg[0].data()), msg[0].size());
    update u;
    u.topic = topic;
    std::array<zmq::message_t, 2> quote;
    if (topic.starts_with(update_prefix)) {
        if (msg.size() != 2) return failure::failure("an update has 2 frames, not " + std::to_string(msg.size()));
        quote[0].rebuild(topic.substr(update_prefix.size()).data(), topic.size() - update_prefix.size());
        quote[1].copy(const_cast<zmq::message_t&>(msg[1]));
    } else if (topic.starts_with(watch_prefix)) {
        if (msg.size() != 4) return failure::failure("a watch match has 4 frames, not " + std::to_string(msg.size()));
        auto condition = common::text_frame(msg[1], 64, "condition");
        if (!condition) return failure::failure(condition.error());
        u.condition = *condition;
        quote[0].copy(const_cast<zmq::message_t&>(msg[2]));
        quote[1].copy(const_cast<zmq::message_t&>(msg[3]));
    } else {
        return failure::failure("unknown topic '" + common::printable(topic) + "'");
    }
    auto t = ticker::decode(quote);
    if (!t) return failure::failure(t.error());
    u.tick = std::move(*t);
    return u;
}

}  // namespace query
