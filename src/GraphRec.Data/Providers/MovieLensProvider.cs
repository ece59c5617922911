using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.VisualBasic.FileIO;

namespace GraphRec.Data;

/// <summary>Loads a MovieLens release exactly as GroupLens lays it out.</summary>
public sealed partial class MovieLensProvider : IDatasetProvider
{
    /// <summary>ML-100K's genre flags, in the order of its <c>u.genre</c>.</summary>
    private static readonly string[] Ml100KGenres =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    /// <summary>ML-1M's occupation codes 0-20, named as in its README.</summary>
    private static readonly string[] Ml1MOccupations =
    [
        "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
        "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer", "programmer",
        "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer", "tradesman/craftsman",
        "unemployed", "writer",
    ];

    private static readonly Encoding Latin1 = Encoding.Latin1;
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly MovieLensRelease _release;
    private readonly MovieLensOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a provider for a release.</summary>
    /// <exception cref="ArgumentException">The rating threshold is NaN or infinite.</exception>
    public MovieLensProvider(MovieLensRelease release, MovieLensOptions? options = null, ILogger<MovieLensProvider>? logger = null)
    {
        _release = release ?? throw new ArgumentNullException(nameof(release));
        _options = options ?? new MovieLensOptions();
        RatingRules.CheckThreshold(_options.RatingThreshold, $"{nameof(MovieLensOptions)}.{nameof(MovieLensOptions.RatingThreshold)}", nameof(options));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => _release.Name;

    /// <inheritdoc />
    public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken = default)
    {
        string ratingsFile = RatingsFile(_release.Format);
        string dataDirectory = DatasetLocator.ResolveDataDirectory(_options.DataDirectory);
        using var files = await DatasetLocator.OpenAsync(
            dataDirectory, _release.Name, ratingsFile, _release.DownloadUrl, new ExpectedDownload(_release.Sha256, _release.Length), _options.AllowDownload,
            _options.HttpClient, _options.DownloadProgress, _logger, cancellationToken).ConfigureAwait(false);
        return await LoadAsync(files, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<InteractionDataset> LoadAsync(DatasetFiles files, CancellationToken cancellationToken)
    {
        string ratingsFile = RatingsFile(_release.Format);
        var lines = new LineReader(_options.Lenient);
        var metadataLines = new LineReader(_options.Lenient);
        var collector = new InteractionCollector(
            _options.RatingThreshold, _options.KeepKnownNegatives, hasRatings: true, hasTimestamps: true);
        Dictionary<long, ItemInfo> itemMetadata;
        Dictionary<long, UserInfo>? userMetadata;
        switch (_release.Format)
        {
            case MovieLensFormat.Classic100K:
                await ReadRatingsAsync(files, "u.data", "\t", Latin1, header: null, 1f, 5f, lines, collector, cancellationToken).ConfigureAwait(false);
                itemMetadata = await ReadMetadataAsync(files, "u.item", "item", ParseClassicItem, Latin1, header: null, metadataLines, cancellationToken).ConfigureAwait(false);
                userMetadata = await ReadOptionalMetadataAsync(files, "u.user", ParseClassicUser, metadataLines, cancellationToken).ConfigureAwait(false);
                break;
            case MovieLensFormat.Dat:
                await ReadRatingsAsync(files, "ratings.dat", "::", Latin1, header: null, 0.5f, 5f, lines, collector, cancellationToken).ConfigureAwait(false);
                itemMetadata = await ReadMetadataAsync(files, "movies.dat", "item", ParseDatItem, Latin1, header: null, metadataLines, cancellationToken).ConfigureAwait(false);
                userMetadata = await ReadOptionalMetadataAsync(files, "users.dat", ParseDatUser, metadataLines, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await ReadRatingsAsync(files, "ratings.csv", ",", StrictUtf8, header: "userId,movieId,rating,timestamp", 0.5f, 5f, lines, collector, cancellationToken).ConfigureAwait(false);
                itemMetadata = await ReadMetadataAsync(files, "movies.csv", "item", ParseCsvItem, StrictUtf8, header: "movieId,title,genres", metadataLines, cancellationToken).ConfigureAwait(false);
                userMetadata = null; // the CSV releases publish no demographics
                break;
        }

        var (users, items, interactions, knownNegatives) = collector.Build();
        if (interactions.Count == 0)
        {
            throw new DatasetFormatException(files.Describe(ratingsFile), collector.BelowThreshold > 0
                ? string.Create(CultureInfo.InvariantCulture, $"no interactions: all {collector.BelowThreshold:N0} ratings are below the rating threshold {_options.RatingThreshold}; lower it or leave it unset")
                : "no interactions: the file has no rating lines");
        }
        var itemInfo = items.NumericIds.ToArray().Select(id => itemMetadata.GetValueOrDefault(id)).ToArray();
        var userInfo = userMetadata is null ? null : users.NumericIds.ToArray().Select(id => userMetadata.GetValueOrDefault(id)).ToArray();
        int itemsDescribed = itemInfo.Count(info => info is not null);
        int usersDescribed = userInfo?.Count(info => info is not null) ?? 0;
        LogMetadataCoverage(_logger, _release.Name, items.Count - itemsDescribed, itemMetadata.Count - itemsDescribed,
            users.Count - usersDescribed, (userMetadata?.Count ?? 0) - usersDescribed);
        var report = new LoadReport(
            lines.LinesRead, collector.BelowThreshold, collector.DuplicatesCollapsed,
            lines.MalformedSkipped + metadataLines.MalformedSkipped,
            [.. lines.MalformedExamples.Concat(metadataLines.MalformedExamples).Take(LineReader.ExamplesKept)],
            collector.NegativesOutsideDataset);
        LogReport(_logger, _release.Name, users.Count, items.Count, interactions.Count, report);
        return new InteractionDataset(_release.Name, users, items, interactions, itemInfo, report, userInfo: userInfo, knownNegatives: knownNegatives);
    }

    private static string RatingsFile(MovieLensFormat format) => format switch
    {
        MovieLensFormat.Classic100K => "u.data",
        MovieLensFormat.Dat => "ratings.dat",
        _ => "ratings.csv",
    };

    internal static void LogReport(ILogger logger, string name, int users, int items, int interactions, LoadReport report)
    {
        LogLoaded(logger, name, users, items, interactions, report.BelowThreshold, report.DuplicatesCollapsed);
        if (report.MalformedSkipped > 0)
        {
            LogSkipped(logger, report.MalformedSkipped, name, string.Join(Environment.NewLine, report.MalformedExamples));
        }
    }

    private static async Task ReadRatingsAsync(
        DatasetFiles files, string name, string separator, Encoding encoding, string? header, float minimum, float maximum,
        LineReader lines, InteractionCollector collector, CancellationToken cancellationToken)
    {
        await using var stream = files.Open(name);
        await lines.ReadAsync(stream, encoding, files.Describe(name), header, line =>
        {
            Span<Range> fields = stackalloc Range[4];
            LineReader.Split(line, separator, fields);
            var text = line.AsSpan();
            collector.Add(
                LineReader.ParseId(text[fields[0]], "user id"),
                LineReader.ParseId(text[fields[1]], "item id"),
                LineReader.ParseRating(text[fields[2]], minimum, maximum),
                LineReader.ParseTimestamp(text[fields[3]]));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a metadata file of (id, record) lines; a repeated id is a malformed line, and so is a control character:
    /// titles and the like are printed as they are, so they must not be able to drive the terminal.
    /// </summary>
    private static async Task<Dictionary<long, T>> ReadMetadataAsync<T>(
        DatasetFiles files, string name, string what, Func<string, (long Id, T Info)> parse,
        Encoding encoding, string? header, LineReader lines, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, T>();
        await using var stream = files.Open(name);
        await lines.ReadAsync(stream, encoding, files.Describe(name), header, line =>
        {
            if (InputText.HasControl(line))
            {
                throw new LineFormatException("contains control characters");
            }

            var (id, info) = parse(line);
            if (!result.TryAdd(id, info))
            {
                throw new LineFormatException(string.Create(CultureInfo.InvariantCulture, $"{what} id {id} is listed twice"));
            }
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The user file is not needed to build interactions, so a folder without one loads, logged, with no demographics.</summary>
    private async Task<Dictionary<long, UserInfo>?> ReadOptionalMetadataAsync(
        DatasetFiles files, string name, Func<string, (long Id, UserInfo Info)> parse, LineReader lines, CancellationToken cancellationToken)
    {
        if (!files.Exists(name))
        {
            string path = files.Describe(name);
            LogNoUserFile(_logger, _release.Name, path);
            return null;
        }

        return await ReadMetadataAsync(files, name, "user", parse, Latin1, header: null, lines, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>user id | age | gender | occupation | zip code</c>, ages exact.</summary>
    private static (long, UserInfo) ParseClassicUser(string line)
    {
        Span<Range> fields = stackalloc Range[5];
        LineReader.Split(line, "|", fields);
        var text = line.AsSpan();
        int age = int.TryParse(text[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is > 0 and < 130
            ? value
            : throw new LineFormatException($"age {InputText.Quote(text[fields[1]])} is not a whole number of years between 1 and 129");
        return (LineReader.ParseId(text[fields[0]], "user id"),
            new UserInfo(ParseGender(text[fields[2]]), age, age, RequireText(text[fields[3]], "occupation"), RequireText(text[fields[4]], "zip code")));
    }

    /// <summary><c>UserID::Gender::Age::Occupation::Zip-code</c>, age and occupation as the codes of the ML-1M README.</summary>
    private static (long, UserInfo) ParseDatUser(string line)
    {
        Span<Range> fields = stackalloc Range[5];
        LineReader.Split(line, "::", fields);
        var text = line.AsSpan();
        var (minimumAge, maximumAge) = text[fields[2]] switch
        {
            "1" => ((int?)null, (int?)17),
            "18" => (18, 24),
            "25" => (25, 34),
            "35" => (35, 44),
            "45" => (45, 49),
            "50" => (50, 55),
            "56" => (56, null),
            var other => throw new LineFormatException($"age group {InputText.Quote(other)} is not one of 1, 18, 25, 35, 45, 50, 56"),
        };
        string occupation = int.TryParse(text[fields[3]], NumberStyles.None, CultureInfo.InvariantCulture, out int code) && code < Ml1MOccupations.Length
            ? Ml1MOccupations[code]
            : throw new LineFormatException($"occupation {InputText.Quote(text[fields[3]])} is not a code from 0 to {Ml1MOccupations.Length - 1}");
        return (LineReader.ParseId(text[fields[0]], "user id"),
            new UserInfo(ParseGender(text[fields[1]]), minimumAge, maximumAge, occupation, RequireText(text[fields[4]], "zip code")));
    }

    private static string ParseGender(ReadOnlySpan<char> field) => field switch
    {
        "M" => "M",
        "F" => "F",
        _ => throw new LineFormatException($"gender {InputText.Quote(field)} is neither M nor F"),
    };

    private static string RequireText(ReadOnlySpan<char> field, string what) =>
        field.Trim() is { IsEmpty: false } trimmed ? trimmed.ToString() : throw new LineFormatException($"the {what} is empty");

    /// <summary><c>movie id | title (year) | release date | video release date | IMDb URL | 19 genre flags</c>.</summary>
    private static (long, ItemInfo) ParseClassicItem(string line)
    {
        Span<Range> fields = stackalloc Range[5 + Ml100KGenres.Length];
        LineReader.Split(line, "|", fields);
        var text = line.AsSpan();
        var genres = new List<string>();
        for (int g = 0; g < Ml100KGenres.Length; g++)
        {
            var flag = text[fields[5 + g]];
            if (flag is "1")
            {
                genres.Add(Ml100KGenres[g]);
            }
            else if (flag is not "0")
            {
                throw new LineFormatException($"genre flag {InputText.Quote(flag)} is neither 0 nor 1");
            }
        }

        var (title, year) = SplitTitle(text[fields[1]].ToString());
        if (year is null && DateTime.TryParseExact(text[fields[2]].ToString(), "dd-MMM-yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            year = date.Year;
        }

        return (LineReader.ParseId(text[fields[0]], "movie id"), new ItemInfo(title, year, genres));
    }

    /// <summary><c>MovieID::Title (year)::Genre|Genre</c>.</summary>
    private static (long, ItemInfo) ParseDatItem(string line)
    {
        Span<Range> fields = stackalloc Range[3];
        LineReader.Split(line, "::", fields);
        var text = line.AsSpan();
        var (title, year) = SplitTitle(text[fields[1]].ToString());
        return (LineReader.ParseId(text[fields[0]], "movie id"), new ItemInfo(title, year, SplitGenres(text[fields[2]].ToString())));
    }

    /// <summary><c>movieId,title,genres</c> with RFC 4180 quoting (titles contain commas and quotes).</summary>
    private static (long, ItemInfo) ParseCsvItem(string line)
    {
        if (!line.Contains('"', StringComparison.Ordinal))
        {
            // Unquoted, a field cannot hold a comma: a plain split is exact, and spares the parser's 30 KB per line.
            Span<Range> plain = stackalloc Range[3];
            LineReader.Split(line, ",", plain);
            var text = line.AsSpan();
            var (plainTitle, plainYear) = SplitTitle(text[plain[1]].ToString());
            return (LineReader.ParseId(text[plain[0]], "movie id"), new ItemInfo(plainTitle, plainYear, SplitGenres(text[plain[2]].ToString())));
        }

        using var parser = new TextFieldParser(new StringReader(line)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        string[]? fields;
        try
        {
            fields = parser.ReadFields();
        }
        catch (Microsoft.VisualBasic.FileIO.MalformedLineException exception)
        {
            throw new LineFormatException($"unbalanced quotes ({InputText.Printable(exception.Message, InputText.FieldLength)})");
        }

        if (fields is null || fields.Length != 3)
        {
            throw new LineFormatException($"expected 3 comma-separated fields, found {fields?.Length ?? 0}");
        }

        var (title, year) = SplitTitle(fields[1]);
        return (LineReader.ParseId(fields[0], "movie id"), new ItemInfo(title, year, SplitGenres(fields[2])));
    }

    private static string[] SplitGenres(string genres) =>
        genres is "(no genres listed)" or "" ? [] : genres.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>"Misérables, Les (1995)" → ("Misérables, Les", 1995); a title without a year keeps its text.</summary>
    internal static (string Title, int? Year) SplitTitle(string text)
    {
        var match = TitleWithYear().Match(text);
        return match.Success
            ? (match.Groups[1].Value.Trim(), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : (text.Trim(), null);
    }

    [GeneratedRegex(@"^(.*\S)\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$")]
    private static partial Regex TitleWithYear();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Dataset}: {Users} users, {Items} items, {Interactions} interactions ({BelowThreshold} below the rating threshold, {Duplicates} duplicates collapsed)")]
    private static partial void LogLoaded(ILogger logger, string dataset, int users, int items, int interactions, long belowThreshold, long duplicates);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Dataset} metadata: {ItemsWithout} items without metadata, {UnratedItems} listed items without interactions, {UsersWithout} users without demographics, {InactiveUsers} listed users without interactions")]
    private static partial void LogMetadataCoverage(ILogger logger, string dataset, int itemsWithout, int unratedItems, int usersWithout, int inactiveUsers);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Dataset} has no user file ({Path}): the dataset has no demographics")]
    private static partial void LogNoUserFile(ILogger logger, string dataset, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Count} malformed lines of {Dataset}; the first ones:\n{Examples}")]
    private static partial void LogSkipped(ILogger logger, long count, string dataset, string examples);
}
