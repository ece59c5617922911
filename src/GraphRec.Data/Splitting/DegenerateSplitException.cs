namespace GraphRec.Data;

/// <summary>
/// A splitter would leave nothing to train on: it holds out every interaction it is given (a temporal cut-off before
/// the first timestamp, or every timestamp the same). An <see cref="ArgumentException"/> whose
/// <see cref="ArgumentException.ParamName"/> is the part's splitter (<c>test</c> or <c>validation</c>), and whose
/// message names the split, what it held out, and what to change.
/// </summary>
public sealed class DegenerateSplitException : ArgumentException
{
    internal DegenerateSplitException(string splitName, string message, string paramName)
        : base(message, paramName) => SplitName = splitName;

    /// <summary>The split that held out everything, as described in the message (such as <c>temporal at quantile 0.8</c>).</summary>
    public string SplitName { get; }
}
