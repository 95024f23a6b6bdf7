// ticker-sub: follows symbols from a ticker-pub (or ticker-proxy) on a SUB socket.
#include "ticker.hpp"

int main(int argc, char** argv)
{
    ticker::sub_options opts;
    common::program prog("ticker-sub", "Follows stock prices on a SUB socket, filtered by symbol (Example 1).");
    ticker::add_options(prog, opts);
    return prog.run(argc, argv, [&](zmq::context_t& ctx, std::stop_token stop) {
        ticker::run_sub(ctx, opts, stop);
    });
}
