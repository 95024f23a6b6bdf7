// ticker-proxy: an XSUB/XPUB forwarder between publishers and subscribers.
#include "ticker.hpp"

int main(int argc, char** argv)
{
    ticker::proxy_options opts;
    common::program prog("ticker-proxy", "Forwards ticks from publishers to subscribers, and subscriptions back (XSUB/XPUB, Example 1).");
    ticker::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        ticker::run_proxy(ctx, opts, stop);
    });
}
