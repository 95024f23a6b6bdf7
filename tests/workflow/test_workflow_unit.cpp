// The workflow's job and wire protocol, without sockets.
#include "catch.hpp"
#include <cmath>

#include "portfolio.hpp"
#include "protocol.hpp"

using namespace workflow;

namespace {

std::vector<zmq::message_t> frames(std::vector<std::string> parts)
{
    std::vector<zmq::message_t> msg;
    for (auto& p : parts) msg.emplace_back(p.data(), p.size());
    return msg;
}

template <std::size_t N> std::vector<zmq::message_t> to_vector(std::array<zmq::message_t, N>&& a)
{
    return {std::make_move_iterator(a.begin()), std::make_move_iterator(a.end())};
}

// Field by field: memcmp would also compare the padding after `kind`, which
// holds whatever was on the stack (it differed at -O0 with g++ 14).
bool same_task(const task& a, const task& b)
{
    return a.batch == b.batch && a.id == b.id && a.count == b.count && a.seed == b.seed && a.paths == b.paths &&
           a.quantity == b.quantity && a.kind == b.kind && a.spot == b.spot && a.strike == b.strike &&
           a.volatility == b.volatility && a.rate == b.rate && a.expiry == b.expiry;
}

}  // namespace

TEST_CASE("a task is the same position whoever makes it", "[portfolio]")
{
    const auto a = make_task(7, 3, 10, 1000);
    const auto b = make_task(7, 3, 10, 1000);
    CHECK(same_task(a, b));
    CHECK(a.seed != make_task(7, 4, 10, 1000).seed);
    CHECK(a.seed != make_task(8, 3, 10, 1000).seed);
    for (std::uint32_t id = 0; id < 200; ++id) CHECK(check(make_task(1, id, 200, 1000)).empty());
}

TEST_CASE("a valuation repeats bit for bit and agrees with the closed form", "[portfolio]")
{
    double worst = 0;
    for (std::uint32_t id = 0; id < 20; ++id) {
        const auto t = make_task(1, id, 20, 200'000);
        const auto v = value(t);
        const auto again = value(t);
        CHECK(v.value == again.value);
        CHECK(v.variance == again.variance);
        REQUIRE(v.variance > 0);
        // Monte Carlo within 5 standard errors of Black-Scholes, for every position.
        const double z = std::abs(static_cast<double>(v.value - v.analytic)) * 1e-6 / std::sqrt(v.variance * 1e-6);
        worst = std::max(worst, z);
    }
    INFO("largest gap: " << worst << " standard errors");
    CHECK(worst < 5);
}

TEST_CASE("money prints with exactly six decimals", "[portfolio]")
{
    CHECK(format_micros(0) == "0.000000");
    CHECK(format_micros(1) == "0.000001");
    CHECK(format_micros(-1'234'500) == "-1.234500");
    CHECK(format_micros(7'734'466'276'945) == "7734466.276945");
    CHECK(format_micros(INT64_MIN) == "-9223372036854.775808");
}

TEST_CASE("every message survives encoding and decoding", "[protocol]")
{
    auto t = make_task(1, 5, 9, 1234);
    t.batch = 42;
    auto task_msg = to_vector(encode(t));
    REQUIRE(task_msg[1].size() == task_size);
    const auto t2 = decode_task(task_msg);
    REQUIRE(t2);
    CHECK(same_task(t, *t2));

    const result r{42, 5, 9, 77, {-5, 6, 7}};
    auto result_msg = to_vector(encode(r));
    const auto r2 = decode_result(result_msg);
    REQUIRE(r2);
    CHECK((r2->batch == 42 && r2->id == 5 && r2->count == 9 && r2->worker == 77));
    CHECK((r2->v.value == -5 && r2->v.analytic == 6 && r2->v.variance == 7));

    auto hello_msg = to_vector(encode(hello{99, "w\u00e9"}));
    const auto h = decode_hello(hello_msg);
    REQUIRE(h);
    CHECK((h->worker == 99 && h->name == "w\u00e9"));

    auto done_msg = to_vector(encode(done{42, {1, 2, 3}}));
    const auto d = decode_done(done_msg);
    REQUIRE(d);
    CHECK(d->ids == std::vector<std::uint32_t>{1, 2, 3});

    auto end_msg = to_vector(encode(end{42, 3}));
    const auto e = decode_end(end_msg);
    REQUIRE(e);
    CHECK((e->batch == 42 && e->waiting == 3));

    auto bye_msg = to_vector(encode(bye{42, 99}));
    const auto b = decode_bye(bye_msg);
    REQUIRE(b);
    CHECK((b->batch == 42 && b->peer == 99));
}

TEST_CASE("malformed messages are refused with a reason", "[protocol]")
{
    const auto good_task = to_vector(encode(make_task(1, 0, 4, 100)))[1].to_string();
    auto task_with = [&](std::size_t offset, auto value) {
        auto body = good_task;
        std::memcpy(body.data() + offset, &value, sizeof value);
        return frames({"TASK", body});
    };
    const std::vector<std::pair<std::vector<zmq::message_t>, std::string>> tasks = [&] {
        std::vector<std::pair<std::vector<zmq::message_t>, std::string>> v;
        v.emplace_back(frames({"TASK"}), "expected 2 frames, got 1");
        v.emplace_back(frames({"TASKS", good_task}), "type frame is 'TASKS', expected TASK");
        v.emplace_back(frames({"TASK", good_task.substr(1)}), "task frame must be 76 bytes, got 75");
        v.emplace_back(task_with(8, std::uint32_t{4}), "task id 4 is not below the task count 4");
        v.emplace_back(task_with(12, std::uint32_t{0}), "task count 0");
        v.emplace_back(task_with(24, std::uint32_t{0}), "paths 0");
        v.emplace_back(task_with(32, std::uint32_t{2}), "option kind");
        v.emplace_back(task_with(36, std::nan("")), "spot or strike");
        v.emplace_back(task_with(52, -0.2), "volatility");
        return v;
    }();
    for (const auto& [msg, why] : tasks) {
        const auto t = decode_task(msg);
        REQUIRE_FALSE(t);
        CHECK_THAT(t.error(), ContainsSubstring(why));
    }
    CHECK_THAT(decode_result(frames({"RESULT", std::string(47, 'x')})).error(), ContainsSubstring("48 bytes, got 47"));
    CHECK_THAT(decode_hello(frames({"HELLO", std::string(8, 'x'), ""})).error(), ContainsSubstring("worker name is empty"));
    CHECK_THAT(decode_done(frames({"DONE", std::string(8, 'x')})).error(), ContainsSubstring("8 + 4*N bytes"));
    CHECK_THAT(decode_end(frames({"END", std::string(8, 'x')})).error(), ContainsSubstring("end frame must be 12 bytes, got 8"));
    CHECK_THAT(decode_bye(frames({"BYE", std::string(8, 'x')})).error(), ContainsSubstring("bye frame must be 16 bytes, got 8"));
}
