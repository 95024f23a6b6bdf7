#include "catch.hpp"
#include <thread>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "endpoints.hpp"

using namespace std::chrono_literals;

TEST_CASE("a waiting recv returns when stop is requested", "[stop]")
{
    auto ctx = common::make_context();
    zmq::socket_t pull(ctx, zmq::socket_type::pull);
    pull.bind("inproc://stop-recv");
    std::stop_source source;
    std::vector<zmq::message_t> msg;
    bool got = true;
    std::jthread waiter([&] { got = common::recv(pull, msg, source.get_token()); });
    std::this_thread::yield();
    source.request_stop();
    waiter.join();
    CHECK_FALSE(got);
}

TEST_CASE("recv takes a whole multipart message, and honours its timeout", "[stop]")
{
    auto ctx = common::make_context();
    zmq::socket_t pull(ctx, zmq::socket_type::pull);
    zmq::socket_t push(ctx, zmq::socket_type::push);
    pull.bind("inproc://stop-multipart");
    push.connect("inproc://stop-multipart");
    std::vector<zmq::message_t> msg;

    CHECK_FALSE(common::recv(pull, msg, {}, 0ms));
    CHECK_FALSE(common::recv(pull, msg, {}, 20ms));

    std::array<zmq::message_t, 3> out{zmq::message_t(std::string("a")), zmq::message_t(std::string("b")),
                                      zmq::message_t(std::string("c"))};
    REQUIRE(common::send(push, out, {}));
    REQUIRE(common::recv(pull, msg, {}, 5s));
    REQUIRE(msg.size() == 3);
    CHECK(msg[2].to_string() == "c");
}

TEST_CASE("a send in the mute state waits, and gives up on stop", "[stop]")
{
    auto ctx = common::make_context();
    zmq::socket_t push(ctx, zmq::socket_type::push);  // no peer: mute
    push.bind("inproc://stop-mute");
    std::array<zmq::message_t, 1> msg{zmq::message_t(std::string("x"))};
    CHECK_FALSE(common::send(push, msg, {}, 20ms));
    std::stop_source stopped;
    stopped.request_stop();
    CHECK_FALSE(common::send(push, msg, stopped.get_token()));
}

TEST_CASE("shutting the context down wakes a waiting recv (ETERM)", "[stop]")
{
    zmq::context_t ctx;
    zmq::socket_t pull(ctx, zmq::socket_type::pull);
    pull.bind("inproc://stop-eterm");
    bool got = true;
    std::jthread waiter([&] {
        std::vector<zmq::message_t> msg;
        got = common::recv(pull, msg, {});
        pull.close();
    });
    ctx.shutdown();
    waiter.join();
    CHECK_FALSE(got);
}

TEST_CASE("sleep_for ends early on stop", "[stop]")
{
    CHECK(common::sleep_for(1ms, {}));
    std::stop_source source;
    std::jthread stopper([&] { source.request_stop(); });
    CHECK_FALSE(common::sleep_for(1h, source.get_token()));
}

TEST_CASE("a thread group stops every role when one fails, and says which", "[threads]")
{
    common::thread_group group;
    bool other_stopped = false;
    group.spawn("steady", [&](std::stop_token stop) {
        common::sleep_for(1h, stop);
        other_stopped = true;
    });
    group.spawn("broken", [](std::stop_token) { throw std::runtime_error("no luck"); });
    CHECK_THROWS_WITH(group.wait(), "broken: no luck");
    CHECK(other_stopped);
}

TEST_CASE("a thread group follows an outer stop signal", "[threads]")
{
    std::stop_source outer;
    common::thread_group group(outer.get_token());
    group.spawn("waits", [](std::stop_token stop) { common::sleep_for(1h, stop); });
    outer.request_stop();
    CHECK_NOTHROW(group.wait());
}
