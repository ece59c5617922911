using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GraphRec.Tests;

/// <summary>A logger that keeps what it is given, to assert on.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    /// <summary>Every entry, in order: its level and its formatted message.</summary>
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}
