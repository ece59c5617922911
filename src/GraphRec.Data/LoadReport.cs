namespace GraphRec.Data;

/// <summary>What a provider did with the lines it read. Immutable.</summary>
/// <param name="LinesRead">Interaction lines read (headers and metadata files excluded).</param>
/// <param name="BelowThreshold">Ratings below the threshold (after collapsing duplicates): dropped, or kept as known negatives.</param>
/// <param name="DuplicatesCollapsed">Repeated (user, item) pairs collapsed into one interaction (the latest one kept).</param>
/// <param name="MalformedSkipped">Malformed lines skipped in lenient mode, in the interaction and the metadata files (zero in
/// strict mode, which throws instead).</param>
/// <param name="MalformedExamples">The first few malformed lines skipped, as "file:line: text".</param>
/// <param name="KnownNegativesOutsideDataset">Ratings below the threshold that were to be kept as known negatives but were dropped
/// because their user or item has no positive interaction.</param>
public sealed record LoadReport(
    long LinesRead, long BelowThreshold, long DuplicatesCollapsed, long MalformedSkipped, IReadOnlyList<string> MalformedExamples,
    long KnownNegativesOutsideDataset = 0);
