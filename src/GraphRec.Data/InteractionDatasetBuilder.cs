using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sylvan.Data.Csv;

namespace GraphRec.Data;

/// <summary>
/// Builds an <see cref="InteractionDataset"/> from one's own events: added one by one from memory, read from any
/// ADO.NET <see cref="DbDataReader"/> (SQLite, PostgreSQL, SQL Server, DuckDB...) or from a delimited file, with ids
/// as the source holds them (text such as GUIDs and SKUs, or integers; see <see cref="IdMap"/>). The rules are the
/// providers': a repeated (user, item) pair collapses to its latest event (by timestamp, else the last added) and is
/// counted in <see cref="LoadReport.DuplicatesCollapsed"/>; then ratings below <see cref="RatingThreshold"/> are
/// dropped or kept as known negatives; the users and items are those with at least one positive interaction.
/// </summary>
/// <remarks>
/// Every event of a dataset has a rating, or none has; the same for timestamps. A read that fails (a missing column,
/// a bad row, a connection that drops) adds nothing: the builder is as it was before the read. Not thread-safe.
/// </remarks>
/// <example>
/// <code>
/// var builder = new InteractionDatasetBuilder("shop");
/// builder.Add("cust-17", "SKU-0042", rating: 5, timestamp: DateTimeOffset.UtcNow);
/// await builder.AddRowsAsync(reader, new InteractionColumns("customer", "sku") { Rating = "stars" });
/// InteractionDataset dataset = builder.Build();
/// </code>
/// </example>
public sealed partial class InteractionDatasetBuilder
{
    private readonly ILogger _logger;
    private readonly Dictionary<string, ItemInfo> _itemInfo = new(StringComparer.Ordinal);
    private InteractionCollector? _collector;
    private long _events;

    /// <summary>Creates an empty builder.</summary>
    /// <param name="name">The dataset's name, such as <c>shop</c>. Default <c>events</c>.</param>
    /// <param name="ratingThreshold">Ratings at or above this are interactions; the others are dropped, or kept as
    /// known negatives, and counted in <see cref="LoadReport.BelowThreshold"/>. Needs every event to have a rating. Default null: every event is an interaction.</param>
    /// <param name="keepKnownNegatives">Keep the events below <paramref name="ratingThreshold"/> in
    /// <see cref="InteractionDataset.KnownNegatives"/> instead of dropping them (as <see cref="MovieLensOptions.KeepKnownNegatives"/>). Default false.</param>
    /// <param name="logger">Where <see cref="Build"/> logs what it kept, dropped and collapsed.</param>
    /// <exception cref="ArgumentException">The name is blank, the threshold is not finite, or known negatives are asked for without a threshold.</exception>
    public InteractionDatasetBuilder(
        string name = "events", float? ratingThreshold = null, bool keepKnownNegatives = false, ILogger<InteractionDatasetBuilder>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        RatingRules.CheckThreshold(ratingThreshold, "The rating threshold", nameof(ratingThreshold));
        if (keepKnownNegatives && ratingThreshold is null)
        {
            throw new ArgumentException("Known negatives are the events below the rating threshold: give a rating threshold with keepKnownNegatives.", nameof(keepKnownNegatives));
        }

        Name = name;
        RatingThreshold = ratingThreshold;
        KeepKnownNegatives = keepKnownNegatives;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The dataset's name.</summary>
    public string Name { get; }

    /// <summary>The rating threshold, or null when every event is an interaction.</summary>
    public float? RatingThreshold { get; }

    /// <summary>Whether events below the threshold are kept as known negatives.</summary>
    public bool KeepKnownNegatives { get; }

    /// <summary>The number of events added so far (before collapsing repeated pairs).</summary>
    public long Count => _events;

    /// <summary>Adds an event with ids as text ("cust-17", a GUID, a SKU; integers written canonically stay integers).</summary>
    /// <param name="userId">The user's id, not empty.</param>
    /// <param name="itemId">The item's id, not empty.</param>
    /// <param name="rating">The rating, if the events have ratings; finite.</param>
    /// <param name="timestamp">When it happened, if the events have times (kept in whole seconds).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">An id is null or empty, the rating is not finite, or the event has a rating (or a time) where the others have none, or the reverse.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The text and integer overloads ship together and differ in the ids' type, so no call is ambiguous.")]
    public InteractionDatasetBuilder Add(string userId, string itemId, float? rating = null, DateTimeOffset? timestamp = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        Collector(rating, timestamp).Add(userId, itemId, rating ?? 1f, timestamp?.ToUnixTimeSeconds() ?? 0);
        _events++;
        return this;
    }

    /// <summary>Adds an event with integer ids.</summary>
    /// <inheritdoc cref="Add(string, string, float?, DateTimeOffset?)"/>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The text and integer overloads ship together and differ in the ids' type, so no call is ambiguous.")]
    public InteractionDatasetBuilder Add(long userId, long itemId, float? rating = null, DateTimeOffset? timestamp = null)
    {
        Collector(rating, timestamp).Add(userId, itemId, rating ?? 1f, timestamp?.ToUnixTimeSeconds() ?? 0);
        _events++;
        return this;
    }

    /// <summary>Describes an item: its title and categories, kept in <see cref="InteractionDataset.ItemInfo"/> (and so in
    /// saved models) when the item is in the dataset. A later description of the same item replaces the earlier one.</summary>
    /// <param name="itemId">The item's id, as given to <see cref="Add(string, string, float?, DateTimeOffset?)"/>.</param>
    /// <param name="title">What a person sees, such as the product's name.</param>
    /// <param name="categories">Categories or genres, possibly none.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The id or the title is empty, or the title or a category holds control characters.</exception>
    public InteractionDatasetBuilder DescribeItem(string itemId, string title, IEnumerable<string>? categories = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        ArgumentException.ThrowIfNullOrEmpty(title);
        string[] names = [.. categories ?? []];
        if (InputText.HasControl(title) || names.Any(name => name is null || InputText.HasControl(name)))
        {
            throw new ArgumentException($"The title and categories of item \"{InputText.Printable(itemId, InputText.FieldLength)}\" must be text without control characters (they are printed as they are).", nameof(title));
        }

        _itemInfo[itemId] = new ItemInfo(title, null, names);
        return this;
    }

    /// <summary>
    /// Adds every row of <paramref name="reader"/>'s current result (a query's rows from any ADO.NET provider) as an
    /// event, reading the columns <paramref name="columns"/> names. Ids may be text or integer columns; a title or
    /// categories column describes the row's item.
    /// </summary>
    /// <param name="reader">The rows, positioned before the first; read to the end, not closed.</param>
    /// <param name="columns">The columns to read.</param>
    /// <param name="cancellationToken">Stops the read; nothing of it is then added.</param>
    /// <returns>The number of rows added.</returns>
    /// <exception cref="DatasetFormatException">A named column is missing (one error naming every missing column and
    /// listing the columns there), the result has no rows, or a row has a null or empty id or a value that does not
    /// convert (the error names the row's number and values). Nothing is added.</exception>
    /// <exception cref="IOException">Reading failed part-way (a connection dropped); the row is named and the
    /// provider's exception is the inner exception. Nothing is added.</exception>
    public Task<long> AddRowsAsync(DbDataReader reader, InteractionColumns columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(columns);
        string source = reader.GetType().Name;
        return AddAllAsync(reader, columns, source,
            (row, text, problem) => new DatasetFormatException(source, row, text, problem, isRow: true),
            row => row, cancellationToken);
    }

    /// <summary>
    /// Adds every line of a delimited text file with a header (CSV, or TSV with <see cref="InteractionColumns.Delimiter"/>
    /// <c>'\t'</c>; UTF-8; fields may be quoted as RFC 4180 says) as an event, reading the columns
    /// <paramref name="columns"/> names. The same rules and errors as <see cref="AddRowsAsync"/>, with the file and line.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read and the delimiter.</param>
    /// <param name="cancellationToken">Stops the read; nothing of it is then added.</param>
    /// <returns>The number of lines added.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DatasetFormatException">A named column is missing from the header, the file has no data lines,
    /// or a line has an empty id, a value that does not convert or a broken quote (the error names the file and line).
    /// Nothing is added.</exception>
    public async Task<long> AddDelimitedFileAsync(string path, InteractionColumns columns, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        columns.Validate();
        var options = new CsvDataReaderOptions
        {
            Delimiter = columns.Delimiter,
            HasHeaders = true,
            // Ids such as "#12" are data: no line is a comment.
            Comment = '\0',
        };
        var text = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        await using var reader = await CsvDataReader.CreateAsync(text, options, cancellationToken).ConfigureAwait(false);
        // Row r of the data is line r + 1 of the file (the header is line 1) while no field spans lines.
        return await AddAllAsync(reader, columns, path,
            (row, line, problem) => new DatasetFormatException(path, row + 1, line, problem),
            row => row + 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds the dataset from every event added so far: id maps, CSR interactions, item metadata and a
    /// <see cref="LoadReport"/>. The builder can go on taking events and build again.
    /// </summary>
    /// <exception cref="InvalidOperationException">No event was added, or every event is below the rating threshold.</exception>
    public InteractionDataset Build()
    {
        if (_collector is not { Count: > 0 } collector)
        {
            throw new InvalidOperationException("No events were added: add them with Add, AddRowsAsync or AddDelimitedFileAsync before Build.");
        }

        var (users, items, interactions, knownNegatives) = collector.Build();
        if (interactions.Count == 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"No interactions: all {collector.BelowThreshold:N0} events are rated below the rating threshold {RatingThreshold}; lower it or leave it unset."));
        }

        var itemInfo = _itemInfo.Count == 0 ? null : items.Ids.Select(id => _itemInfo.GetValueOrDefault(id)).ToArray();
        var report = new LoadReport(_events, collector.BelowThreshold, collector.DuplicatesCollapsed, 0, [], collector.NegativesOutsideDataset);
        MovieLensProvider.LogReport(_logger, Name, users.Count, items.Count, interactions.Count, report);
        return new InteractionDataset(Name, users, items, interactions, itemInfo, report, knownNegatives: knownNegatives);
    }

    /// <summary>The collector, made by the first event, which decides whether the events have ratings and times.</summary>
    private InteractionCollector Collector(float? rating, DateTimeOffset? timestamp)
    {
        if (rating is float value && !float.IsFinite(value))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The rating must be a finite number; it is {value}."), nameof(rating));
        }

        return Collector(rating is not null, timestamp is not null, "event");
    }

    private InteractionCollector Collector(bool hasRatings, bool hasTimestamps, string what)
    {
        if (_collector is { } collector && collector.Count > 0)
        {
            if (collector.HasRatings != hasRatings || collector.HasTimestamps != hasTimestamps)
            {
                throw new ArgumentException(
                    $"The {what} has {Kinds(hasRatings, hasTimestamps)}, the events before it have {Kinds(collector.HasRatings, collector.HasTimestamps)}: "
                    + "every event of a dataset has a rating or none has, and the same for times.");
            }

            return collector;
        }

        if (RatingThreshold is not null && !hasRatings)
        {
            throw new ArgumentException($"The {what} has no ratings, and the builder has a rating threshold: every event needs a rating.");
        }

        return _collector = new InteractionCollector(RatingThreshold, KeepKnownNegatives, hasRatings, hasTimestamps);

        static string Kinds(bool ratings, bool times) => (ratings, times) switch
        {
            (true, true) => "ratings and times",
            (true, false) => "ratings and no times",
            (false, true) => "times and no ratings",
            _ => "neither ratings nor times",
        };
    }

    private async Task<long> AddAllAsync(
        DbDataReader reader, InteractionColumns columns, string source, Func<long, string, string, DatasetFormatException> rowError,
        Func<long, long> position, CancellationToken cancellationToken)
    {
        var table = EventTable.Resolve(reader, columns, source);
        var previous = _collector;
        InteractionCollector collector;
        try
        {
            collector = Collector(table.HasRatings, table.HasTimestamps, "source");
        }
        catch (ArgumentException exception)
        {
            throw new DatasetFormatException(source, exception.Message.TrimEnd('.') + "; name the rating and time columns accordingly");
        }

        int mark = collector.Count;
        var itemInfo = table.HasItemInfo ? new Dictionary<string, ItemInfo>(StringComparer.Ordinal) : null;
        long row = 0;
        try
        {
            while (await ReadAsync(reader, source, row, position, cancellationToken).ConfigureAwait(false))
            {
                row++;
                try
                {
                    AddRow(table, collector, itemInfo);
                }
                catch (RowFormatException exception)
                {
                    throw rowError(row, table.Describe(), exception.Message);
                }
            }

            if (row == 0)
            {
                throw new DatasetFormatException(source, "no rows: the source has the columns but no events; check the query or the file");
            }
        }
        catch
        {
            // Nothing half-read stays: the records go, and so does a collector this read made.
            collector.TruncateTo(mark);
            _collector = previous;
            throw;
        }

        _events += row;
        foreach (var (item, info) in itemInfo ?? [])
        {
            _itemInfo[item] = info;
        }

        return row;
    }

    private static async Task<bool> ReadAsync(DbDataReader reader, string source, long row, Func<long, long> position, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CsvFormatException exception)
        {
            throw new DatasetFormatException(source, position(row + 1), "", $"not a well-formed delimited line ({exception.Message})");
        }
        catch (Exception exception) when (exception is DbException or IOException or DecoderFallbackException)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: reading row {row + 1} failed ({exception.Message}); nothing of this read was added. Check the source and read it again."), exception);
        }
    }

    private static void AddRow(EventTable table, InteractionCollector collector, Dictionary<string, ItemInfo>? itemInfo)
    {
        string? user = table.UserId(out long numericUser);
        string? item = table.ItemId(out long numericItem);
        float rating = table.HasRatings ? table.Rating() : 1f;
        long timestamp = table.HasTimestamps ? table.Timestamp() : 0;
        if (user is null && item is null)
        {
            collector.Add(numericUser, numericItem, rating, timestamp);
        }
        else
        {
            user ??= numericUser.ToString(CultureInfo.InvariantCulture);
            item ??= numericItem.ToString(CultureInfo.InvariantCulture);
            collector.Add(user, item, rating, timestamp);
        }

        if (itemInfo is not null && table.ItemInfo(item ?? numericItem.ToString(CultureInfo.InvariantCulture)) is { } info)
        {
            itemInfo[item ?? numericItem.ToString(CultureInfo.InvariantCulture)] = info;
        }
    }
}
