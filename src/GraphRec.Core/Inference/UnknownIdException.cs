namespace GraphRec.Core;

/// <summary>A user or item id that is not in the model: a <see cref="KeyNotFoundException"/> whose message names the id as given, quoted.</summary>
internal sealed class UnknownIdException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="kind"/> ("user" or "item") <paramref name="id"/>.</summary>
    public UnknownIdException(string kind, string id, string datasetName)
        : base($"The {kind} id {IdText.Quote(id)} is not in the model (trained on {datasetName}).")
    {
        Kind = kind;
        Id = id;
    }

    /// <summary>"user" or "item".</summary>
    public string Kind { get; }

    /// <summary>The id asked for, as given.</summary>
    public string Id { get; }
}
