namespace Orchestrator.Manager.Apis;

// A listing page holds `limit` objects the caller may see, read from as many pages of the store as it takes (or
// fewer at the end). Filtering one store page alone would answer a scoped operator an empty page with a next_cursor
// for each other tenant's object, so walking ?limit=1 would count them.
public static class ScopedPages
{
    public static async Task<(List<T> Page, string Next)> FillAsync<T>(string cursor, int limit,
        Func<string, int, Task<(IReadOnlyList<T> Items, string Next)>> read, Func<T, bool> visible)
    {
        var page = new List<T>();
        do
        {
            // Each read moves the cursor on (the store's cursor only goes forward), so this ends with the listing.
            var (items, next) = await read(cursor, limit - page.Count);
            page.AddRange(items.Where(visible));
            cursor = next;
        }
        while (page.Count < limit && cursor != "0");
        return (page, cursor);
    }
}
