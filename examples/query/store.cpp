#include "store.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace query {
namespace {

// Appends printf-style text without a temporary string.
template <class... Args> void append(std::string& out, const char* format, Args... args)
{
    char line[256];
    const int n = std::snprintf(line, sizeof line, format, args...);
    if (n > 0) out.append(line, std::min(static_cast<std::size_t>(n), sizeof line - 1));
}

double change_percent(const symbol_state& s) { return s.open != 0 ? 100.0 * (s.last - s.open) / s.open : 0.0; }

}  // namespace

bool store::apply(const ticker::tick& t)
{
    auto it = symbols_.find(std::string_view(t.symbol));
    if (it == symbols_.end()) it = symbols_.emplace(t.symbol, entry{}).first;
    auto& e = it->second;
    if (e.state.ticks > 0 && t.seq == 1 && e.state.seq > 1) e = entry{};  // the feed restarted: start again
    if (e.state.ticks > 0 && t.seq <= e.state.seq) return false;
    e.state.apply(t);
    if (e.ticks.size() == history_) e.ticks.pop_front();
    e.ticks.push_back(t);
    return true;
}

const symbol_state* store::find(std::string_view symbol) const
{
    const auto it = symbols_.find(symbol);
    return it == symbols_.end() ? nullptr : &it->second.state;
}

const store::entry* store::lookup(std::string_view symbol, std::string& text) const
{
    const auto it = symbols_.find(symbol);
    if (it != symbols_.end()) return &it->second;
    text = "no ticks for symbol '" + std::string(symbol) + "' (SYMBOLS lists the symbols seen)";
    return nullptr;
}

bool store::answer(const request& r, std::string& text, const symbol_state** state) const
{
    text.clear();
    switch (r.what) {
    case verb::last: {
        const auto* e = lookup(r.symbol, text);
        if (e == nullptr) return false;
        const auto& s = e->state;
        append(text, "%.*s last=%.2f bid=%.2f ask=%.2f seq=%llu time_ns=%lld", static_cast<int>(r.symbol.size()),
               r.symbol.data(), s.last, s.bid, s.ask, static_cast<unsigned long long>(s.seq),
               static_cast<long long>(s.time_ns));
        return true;
    }
    case verb::stats: {
        const auto* e = lookup(r.symbol, text);
        if (e == nullptr) return false;
        const std::size_t n = r.n == 0 ? e->ticks.size() : std::min(r.n, e->ticks.size());
        const auto first = e->ticks.end() - static_cast<std::ptrdiff_t>(n);
        double high = first->price, low = first->price, sum = 0;
        std::uint64_t volume = 0;
        for (auto t = first; t != e->ticks.end(); ++t) {
            high = std::max(high, t->price);
            low = std::min(low, t->price);
            sum += t->price;
            volume += t->volume;
        }
        append(text, "%.*s ticks=%zu open=%.2f high=%.2f low=%.2f close=%.2f average=%.4f volume=%llu from_seq=%llu to_seq=%llu",
               static_cast<int>(r.symbol.size()), r.symbol.data(), n, first->price, high, low, e->ticks.back().price,
               sum / static_cast<double>(n), static_cast<unsigned long long>(volume),
               static_cast<unsigned long long>(first->seq), static_cast<unsigned long long>(e->ticks.back().seq));
        return true;
    }
    case verb::history: {
        const auto* e = lookup(r.symbol, text);
        if (e == nullptr) return false;
        const std::size_t n = std::min(r.n, e->ticks.size());
        for (auto t = e->ticks.end() - static_cast<std::ptrdiff_t>(n); t != e->ticks.end(); ++t)
            append(text, "%sseq=%llu time_ns=%lld price=%.2f bid=%.2f ask=%.2f volume=%llu", text.empty() ? "" : "\n",
                   static_cast<unsigned long long>(t->seq), static_cast<long long>(t->time_ns), t->price, t->bid,
                   t->ask, static_cast<unsigned long long>(t->volume));
        return true;
    }
    case verb::top: {
        std::vector<std::pair<std::string_view, const symbol_state*>> ranked;
        ranked.reserve(symbols_.size());
        for (const auto& [name, e] : symbols_) ranked.emplace_back(name, &e.state);
        // By change, then by name, so that ties come out the same every time.
        std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
            const double ca = change_percent(*a.second), cb = change_percent(*b.second);
            if (ca != cb) return r.gainers ? ca > cb : ca < cb;
            return a.first < b.first;
        });
        ranked.resize(std::min(ranked.size(), r.n));
        int rank = 0;
        for (const auto& [name, s] : ranked)
            append(text, "%s%d %.*s last=%.2f open=%.2f change=%+.4f%%", text.empty() ? "" : "\n", ++rank,
                   static_cast<int>(name.size()), name.data(), s->last, s->open, change_percent(*s));
        return true;
    }
    case verb::symbols: {
        std::vector<std::pair<std::string_view, std::uint64_t>> names;
        for (const auto& [name, e] : symbols_) names.emplace_back(name, e.state.ticks);
        std::sort(names.begin(), names.end());
        for (const auto& [name, ticks] : names)
            append(text, "%s%.*s ticks=%llu", text.empty() ? "" : "\n", static_cast<int>(name.size()), name.data(),
                   static_cast<unsigned long long>(ticks));
        return true;
    }
    case verb::snapshot: {
        const auto* e = lookup(r.symbol, text);
        if (e == nullptr) return false;
        const auto& s = e->state;
        append(text, "%.*s seq=%llu last=%.2f high=%.2f low=%.2f ticks=%llu volume=%llu", static_cast<int>(r.symbol.size()),
               r.symbol.data(), static_cast<unsigned long long>(s.seq), s.last, s.high, s.low,
               static_cast<unsigned long long>(s.ticks), static_cast<unsigned long long>(s.volume));
        if (state != nullptr) *state = &s;
        return true;
    }
    case verb::help:
        text = help_text();
        return true;
    case verb::watch:
        break;
    }
    text = "this query is not answered from the store";
    return false;
}

}  // namespace query
