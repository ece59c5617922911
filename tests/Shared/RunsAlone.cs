namespace GraphRec.Tests;

/// <summary>
/// The collection of tests that count the bytes the whole process allocates
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>). xUnit runs it after every other collection and alone, so that the
/// bytes counted are the test's own; beside other tests, a budget of megabytes fails by chance.
/// </summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
