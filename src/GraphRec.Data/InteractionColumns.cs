using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// The columns of a table of events, named as the source names them: for
/// <see cref="InteractionDatasetBuilder.AddRowsAsync"/> (any ADO.NET <see cref="System.Data.Common.DbDataReader"/>:
/// SQLite, PostgreSQL, SQL Server, DuckDB...) and <see cref="InteractionDatasetBuilder.AddDelimitedFileAsync"/>
/// (CSV or TSV with a header). Names are matched exactly, else without case when only one column matches (PostgreSQL
/// folds unquoted names to lower case). Validated when a read starts. Immutable.
/// </summary>
/// <param name="User">The column of user ids: text (GUIDs, "cust-17") or integers.</param>
/// <param name="Item">The column of item ids: text (SKUs) or integers.</param>
public sealed record InteractionColumns(string User, string Item)
{
    /// <summary>The column of ratings (any number, or text in the invariant culture, such as <c>4.5</c>). Default null: no ratings.</summary>
    public string? Rating { get; init; }

    /// <summary>
    /// The column of event times: a date and time (taken as UTC when it has no offset), ISO 8601 text such as
    /// <c>2024-05-01T10:00:00Z</c>, or whole seconds since the Unix epoch. Default null: no timestamps.
    /// </summary>
    public string? Timestamp { get; init; }

    /// <summary>The column of item titles, kept in <see cref="InteractionDataset.ItemInfo"/> (the latest row of an item wins). Default null.</summary>
    public string? Title { get; init; }

    /// <summary>The column of item categories, one text of names separated by <see cref="CategorySeparator"/>, kept as
    /// <see cref="ItemInfo.Genres"/>. Default null.</summary>
    public string? Categories { get; init; }

    /// <summary>The separator of the names in <see cref="Categories"/>. Default <c>'|'</c>.</summary>
    public char CategorySeparator { get; init; } = '|';

    /// <summary>The field delimiter of a delimited file (<c>'\t'</c> for TSV); not used for a <see cref="System.Data.Common.DbDataReader"/>. Default <c>','</c>.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>The named columns with the role of each, for lookups and messages.</summary>
    internal IEnumerable<(string Role, string Name)> Named()
    {
        yield return ("user", User);
        yield return ("item", Item);
        foreach (var (role, name) in new[] { ("rating", Rating), ("timestamp", Timestamp), ("title", Title), ("categories", Categories) })
        {
            if (name is not null)
            {
                yield return (role, name);
            }
        }
    }

    /// <summary>Checks the names: present, not blank, each column named for one role only.</summary>
    /// <exception cref="ArgumentException">A name is null, blank or given twice, or the delimiter is a quote or a line break.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(User) || string.IsNullOrWhiteSpace(Item))
        {
            throw new ArgumentException($"{nameof(InteractionColumns)} needs the names of the user and the item columns; they are \"{User}\" and \"{Item}\".");
        }

        var named = Named().ToList();
        if (named.FirstOrDefault(column => string.IsNullOrWhiteSpace(column.Name)) is { Role: { } blank })
        {
            throw new ArgumentException($"The {blank} column's name in {nameof(InteractionColumns)} is blank; leave it null for none.");
        }

        if (named.GroupBy(column => column.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(group => group.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"The column \"{twice.Key}\" is named for {string.Join(" and ", twice.Select(column => column.Role))}; each column has one role.");
        }

        if (Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The delimiter cannot be U+{(int)Delimiter:X4} (a quote or a line break)."));
        }
    }
}
