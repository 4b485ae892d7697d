using Microsoft.Extensions.Options;

namespace TradingBot;

// The trading loop: one price per tick, a momentum signal (short moving average against the long one), one
// unit bought or sold on paper. The book is saved every 10 ticks and once more when the host stops (SIGTERM),
// so a graceful stop loses nothing and a kill loses at most 10 ticks.
public sealed class TraderService(PaperBook book, IOptions<BotOptions> options, TimeProvider time, ILogger<TraderService> logger) : BackgroundService
{
    private const int Short = 5;
    private const int Long = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        book.Load();
        var feed = new PriceFeed(settings.Seed ?? StableHash(settings.Symbol), book.Snapshot().LastPrice ?? 100m);
        var window = new Queue<decimal>();
        using var timer = new PeriodicTimer(settings.Tick, time);
        logger.LogInformation("Paper trading {Symbol} every {Tick} ms; book in {Directory}", settings.Symbol, settings.TickMs, settings.DataDirectory);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var price = feed.Next();
                window.Enqueue(price);
                if (window.Count > Long) window.Dequeue();
                book.Tick(price, Signal(window), time.GetUtcNow());
                if (book.Snapshot().Ticks % 10 == 0) book.Save();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            book.Save();
            var final = book.Snapshot();
            logger.LogInformation("Stopped gracefully: book saved ({Cash} cash, {Position} {Symbol}, {Trades} trades)",
                final.Cash, final.Position, final.Symbol, final.Trades);
        }
    }

    private static int Signal(Queue<decimal> window)
    {
        if (window.Count < Long) return 0;
        var shortAverage = window.Skip(Long - Short).Average();
        var longAverage = window.Average();
        return shortAverage > longAverage * 1.001m ? 1 : shortAverage < longAverage * 0.999m ? -1 : 0;
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text) hash = unchecked(hash * 31 + c);
        return hash;
    }
}
