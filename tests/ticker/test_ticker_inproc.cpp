// The ticker's roles as threads of this process, sharing one context, over inproc.
#include "catch.hpp"
#include <mutex>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "endpoints.hpp"
#include "ticker.hpp"

using namespace std::chrono_literals;

namespace {

// What one subscriber thread received, read by the test thread.
struct inbox {
    std::mutex mutex;
    std::vector<ticker::tick> ticks;
    void add(const ticker::tick& t)
    {
        std::scoped_lock lock(mutex);
        ticks.push_back(t);
    }
    std::vector<ticker::tick> all()
    {
        std::scoped_lock lock(mutex);
        return ticks;
    }
};

ticker::sub_options subscriber(std::string name, std::string endpoint, std::vector<std::string> symbols,
                               std::uint64_t count, inbox& box)
{
    ticker::sub_options o;
    o.role = {std::move(name), true, false};
    o.connect = {std::move(endpoint)};
    o.symbols = std::move(symbols);
    o.count = count;
    o.on_tick = [&box](const ticker::tick& t) { box.add(t); };
    return o;
}

void check_two_subscribers(bool with_proxy)
{
    auto ctx = common::make_context();
    const auto feed = support::fresh_endpoint("inproc", {}, "feed");
    const auto proxied = support::fresh_endpoint("inproc", {}, "proxied");

    ticker::pub_options pub;
    pub.role = {"pub", true, false};
    pub.bind = {feed};
    pub.rate = 2000;
    pub.seed = 7;
    ticker::proxy_options proxy;
    proxy.role = {"proxy", true, false};
    proxy.connect = {feed};
    proxy.bind = {proxied};

    inbox apples, m_stocks;
    const auto source = with_proxy ? proxied : feed;
    const auto apple_opts = subscriber("sub-AAPL", source, {"AAPL"}, 20, apples);
    const auto m_opts = subscriber("sub-M", source, {"M"}, 20, m_stocks);

    common::thread_group services, subscribers;
    services.spawn("pub", [&](std::stop_token s) { ticker::run_pub(ctx, pub, s); });
    if (with_proxy) services.spawn("proxy", [&](std::stop_token s) { ticker::run_proxy(ctx, proxy, s); });
    subscribers.spawn("sub-AAPL", [&](std::stop_token s) { ticker::run_sub(ctx, apple_opts, s); });
    subscribers.spawn("sub-M", [&](std::stop_token s) { ticker::run_sub(ctx, m_opts, s); });
    subscribers.wait();  // each stops by itself after 20 ticks
    services.request_stop();
    services.wait();

    const auto a = apples.all();
    REQUIRE(a.size() == 20);
    for (const auto& t : a) CHECK(t.symbol == "AAPL");
    const auto m = m_stocks.all();
    REQUIRE(m.size() == 20);
    for (const auto& t : m) CHECK((t.symbol == "MSFT" || t.symbol == "META"));
    for (std::size_t i = 1; i < a.size(); ++i) CHECK(a[i].seq == a[i - 1].seq + 1);
}

}  // namespace

TEST_CASE("inproc: a publisher and two subscribers as threads", "[inproc]") { check_two_subscribers(false); }
TEST_CASE("inproc: the same through the proxy", "[inproc]") { check_two_subscribers(true); }

TEST_CASE("inproc: a stalled subscriber does not block the publisher", "[inproc]")
{
    auto ctx = common::make_context();
    const auto feed = support::fresh_endpoint("inproc", {}, "mute");
    zmq::socket_t stalled(ctx, zmq::socket_type::sub);
    stalled.set(zmq::sockopt::rcvhwm, 100);
    stalled.set(zmq::sockopt::subscribe, "");
    stalled.connect(feed);  // inproc: connect before bind works since libzmq 4

    ticker::pub_options pub;
    pub.role = {"pub", true, false};
    pub.bind = {feed};
    pub.rate = 0;  // as fast as it can
    pub.count = 200'000;
    common::thread_group group;
    group.spawn("pub", [&](std::stop_token s) { ticker::run_pub(ctx, pub, s); });
    group.wait();  // finishes all 200000 while nobody reads

    std::vector<zmq::message_t> msg;
    std::uint64_t held = 0;
    while (common::recv(stalled, msg, {}, 0ms)) ++held;
    INFO("held " << held);
    CHECK(held > 0);
    CHECK(held <= 100 + 1000);  // its receive HWM plus the publisher's send HWM: the rest was dropped
}
