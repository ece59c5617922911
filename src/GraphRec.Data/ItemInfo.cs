namespace GraphRec.Data;

/// <summary>What a person wants to see next to a recommended item. Immutable.</summary>
/// <param name="Title">The title, without the year where the source appends it (MovieLens: "Toy Story").</param>
/// <param name="Year">The release year where known.</param>
/// <param name="Genres">The genres, possibly empty.</param>
public sealed record ItemInfo(string Title, int? Year, IReadOnlyList<string> Genres)
{
    /// <summary>Title and year, for display: "Toy Story (1995)".</summary>
    public override string ToString() => Year is int year ? $"{Title} ({year})" : Title;
}
