// ticker-pub: publishes random-walk stock prices on a PUB socket.
#include "ticker.hpp"

int main(int argc, char** argv)
{
    ticker::pub_options opts;
    common::program prog("ticker-pub", "Publishes random-walk stock prices on a PUB socket (Example 1).");
    ticker::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        ticker::run_pub(ctx, opts, stop);
    });
}
