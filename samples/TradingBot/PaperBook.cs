using System.Text.Json;

namespace TradingBot;

// The bot's paper account: cash, position, trades. Saved to BOT_DATA_DIR/book.json by writing a temp file and
// renaming it, so a kill mid-save leaves the previous book, never half a file.
public sealed class PaperBook(Microsoft.Extensions.Options.IOptions<BotOptions> options, ILogger<PaperBook> logger)
{
    private readonly Lock _gate = new();
    private Book _book = new(options.Value.Symbol, options.Value.StartingCash, 0, 0, 0, 0, null, 0);
    private DateTimeOffset? _lastTick;
    private string? _saveError;

    private string FilePath => Path.Combine(options.Value.DataDirectory, "book.json");

    public void Load()
    {
        if (!File.Exists(FilePath))
        {
            logger.LogInformation("No book in {Path}: starting with {Cash} cash", FilePath, _book.Cash);
            return;
        }
        var loaded = JsonSerializer.Deserialize(File.ReadAllText(FilePath), BotJson.Default.Book)
            ?? throw new InvalidDataException($"{FilePath} is empty");
        lock (_gate) _book = loaded with { Starts = loaded.Starts + 1 };
        logger.LogInformation("Resumed the book from {Path}: {Cash} cash, {Position} {Symbol}, {Trades} trades, start #{Starts}",
            FilePath, loaded.Cash, loaded.Position, loaded.Symbol, loaded.Trades, loaded.Starts + 1);
    }

    public void Tick(decimal price, int signal, DateTimeOffset now)
    {
        lock (_gate)
        {
            var book = _book with { LastPrice = price, Ticks = _book.Ticks + 1 };
            if (signal > 0 && book.Cash >= price) book = book with { Cash = book.Cash - price, Position = book.Position + 1, Trades = book.Trades + 1 };
            else if (signal < 0 && book.Position > 0) book = book with { Cash = book.Cash + price, Position = book.Position - 1, Trades = book.Trades + 1 };
            _book = book;
            _lastTick = now;
        }
    }

    public void Save()
    {
        Book book;
        lock (_gate) book = _book;
        try
        {
            Directory.CreateDirectory(options.Value.DataDirectory);
            var temp = FilePath + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(book, BotJson.Default.Book));
            File.Move(temp, FilePath, overwrite: true);
            _saveError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _saveError = $"cannot save the book to {FilePath}: {ex.Message}";
            logger.LogError("{Error}", _saveError);
        }
    }

    // Why the bot is not healthy (no tick for `stale`, or its book cannot be saved), or null.
    public string? Problem(DateTimeOffset now, TimeSpan stale)
    {
        if (_saveError is { } error) return error;
        return _lastTick is { } last && now - last <= stale ? null : "no price tick recently";
    }

    public BookSnapshot Snapshot()
    {
        lock (_gate)
        {
            var equity = _book.Cash + _book.Position * (_book.LastPrice ?? 0);
            return new BookSnapshot(_book.Symbol, _book.Cash, _book.Position, _book.LastPrice, equity, _book.Trades, _book.Ticks, _book.Starts);
        }
    }
}

public sealed record Book(string Symbol, decimal Cash, int Position, int Trades, long Ticks, int Starts, decimal? LastPrice, int Version);

public sealed record BookSnapshot(string Symbol, decimal Cash, int Position, decimal? LastPrice, decimal Equity, int Trades, long Ticks, int Starts);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Book))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BookSnapshot))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
public sealed partial class BotJson : System.Text.Json.Serialization.JsonSerializerContext;
