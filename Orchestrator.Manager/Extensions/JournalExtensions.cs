using Orchestrator.Manager.Journal;

namespace Orchestrator.Manager.Extensions;

public static class JournalExtensions
{
    // The node's journal (issue 29): what the manager holds of each node's journal, and the check of each upload.
    public static WebApplicationBuilder AddNodeJournal(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeJournalStore>();
        builder.Services.AddSingleton<NodeJournalIntake>();
        return builder;
    }
}
