using Microsoft.Extensions.Options;

namespace TradingBot;

// Read from the container's environment, the way an agent_config's `env` sets it:
//   SYMBOL (default BTC-USD), BOT_DATA_DIR (default /data), BOT_TICK_MS (default 500), BOT_STARTING_CASH (10000),
//   BOT_SEED (the simulated feed's seed; default: from the symbol, so a restart sees the same market).
public sealed class BotOptions
{
    public string Symbol { get; set; } = "BTC-USD";
    public string DataDirectory { get; set; } = "/data";
    public int TickMs { get; set; } = 500;
    public decimal StartingCash { get; set; } = 10_000m;
    public int? Seed { get; set; }

    public TimeSpan Tick => TimeSpan.FromMilliseconds(TickMs);

    public void Read(IConfiguration configuration)
    {
        Symbol = configuration["SYMBOL"] ?? Symbol;
        DataDirectory = configuration["BOT_DATA_DIR"] ?? DataDirectory;
        if (configuration["BOT_TICK_MS"] is { } tick) TickMs = int.TryParse(tick, out var ms) ? ms : -1;
        if (configuration["BOT_STARTING_CASH"] is { } cash) StartingCash = decimal.TryParse(cash, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : -1;
        if (configuration["BOT_SEED"] is { } seed) Seed = int.TryParse(seed, out var s) ? s : null;
    }

    // The first bad setting, named as the environment variable that sets it; null when all are fine.
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Symbol) ? "SYMBOL must not be empty"
        : TickMs is < 10 or > 60_000 ? "BOT_TICK_MS must be a whole number of milliseconds from 10 to 60000"
        : StartingCash <= 0 ? "BOT_STARTING_CASH must be a positive number"
        : string.IsNullOrWhiteSpace(DataDirectory) ? "BOT_DATA_DIR must name a directory"
        : null;
}

// Names the setting in the startup failure, so a bad env in agent_config shows in the agent's last_error.
public sealed class BotOptionsValidator : IValidateOptions<BotOptions>
{
    public ValidateOptionsResult Validate(string? name, BotOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
