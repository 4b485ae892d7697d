using Microsoft.Extensions.Options;
using TradingBot;

// A paper-trading bot as a vendor ships it in an image: a simulated price feed, a momentum strategy trading on
// paper, its book kept in /data (BOT_DATA_DIR) so a restart or an update carries on where it stopped, GET /health
// for the node's health check, and a graceful stop on SIGTERM (`docker stop`): the book is saved before exit.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddOptions<BotOptions>()
    .Configure<IConfiguration>((options, configuration) => options.Read(configuration))
    .Validate(options => options.Problem() is null, "bot settings are invalid (see the log)")
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<BotOptions>, BotOptionsValidator>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<PaperBook>();
builder.Services.AddHostedService<TraderService>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, BotJson.Default);
    o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
});

var app = builder.Build();
app.MapGet("/health", (PaperBook book, TimeProvider time, IOptions<BotOptions> options) =>
    book.Problem(time.GetUtcNow(), options.Value.Tick * 5) is { } problem
        ? Results.Problem(problem, statusCode: StatusCodes.Status503ServiceUnavailable)
        : Results.Ok(book.Snapshot()));
app.Run();
