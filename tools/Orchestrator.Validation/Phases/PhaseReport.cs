namespace Orchestrator.Validation.Phases;

// What one phase found: failures (each says why) and notes (what was proved along the way).
public sealed class PhaseReport
{
    private readonly List<string> _failures = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyList<string> Notes => _notes;

    public bool Passed => _failures.Count == 0;

    public void Fail(string why) => _failures.Add(why);

    public void Note(string what) => _notes.Add(what);

    // Records a failure when the condition is false; returns the condition so callers can stop early.
    public bool Check(bool condition, string failure)
    {
        if (!condition) Fail(failure);
        return condition;
    }
}
