using System.Data.Common;
using GraphRec.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace GraphRec.Samples;

/// <summary>
/// The events of one query on SQLite or PostgreSQL, read by the column names given, as a dataset: what the sample's
/// <c>train --dataset sql</c> reads, and what the server's retraining reads again each time. Linked into both apps.
/// </summary>
/// <param name="Provider"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="Connection">The connection string (<c>Data Source=shop.db</c>; <c>Host=…;Database=…;Username=…</c>).</param>
/// <param name="Query">The query that returns the events.</param>
/// <param name="Columns">The columns of the query's rows.</param>
/// <param name="RatingThreshold">Ratings below it are dropped; null keeps every row.</param>
internal sealed record DatabaseEvents(string Provider, string Connection, string Query, InteractionColumns Columns, float? RatingThreshold = null) : IDatasetProvider
{
    /// <summary>The providers this app has a driver for.</summary>
    public static readonly IReadOnlyList<string> Providers = ["sqlite", "postgres"];

    /// <inheritdoc />
    public string Name => Provider;

    /// <inheritdoc />
    public async Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken = default)
    {
        await using DbConnection connection = Provider switch
        {
            "sqlite" => new SqliteConnection(Connection),
            "postgres" => new NpgsqlConnection(Connection),
            _ => throw new ArgumentException($"The provider \"{Provider}\" is not one of {string.Join(", ", Providers)}."),
        };
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = Query;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var builder = new InteractionDatasetBuilder(connection.Database is { Length: > 0 } database ? Path.GetFileNameWithoutExtension(database) : Provider, RatingThreshold);
        await builder.AddRowsAsync(reader, Columns, cancellationToken).ConfigureAwait(false);
        return builder.Build();
    }
}
