using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using RemoteModel.Client;

namespace RemoteModel.Controller;

/// <summary>
/// Runs C# submissions one after another in one growing state, as C# Interactive does: each sees
/// what the ones before declared; a trailing expression's value is printed; an error is printed
/// in one line (with its stack trace when verbose) and leaves the state as it was.
/// </summary>
internal sealed class ScriptEngine(ControllerGlobals globals, TextWriter output, TextWriter error)
{
    /// <summary>What every submission may use without a using directive.</summary>
    private static readonly string[] Imports =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading", "System.Threading.Tasks",
        "RemoteModel.Client", "RemoteModel.Models", "RemoteModel.Models.Client", "RemoteModel.Models.V1",
        "RemoteModel.Naming.Client", "RemoteModel.Naming.V1", "Grpc.Core",
    ];

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(FindReferences);

    private static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithKind(SourceCodeKind.Script);

    private ScriptState<object>? _state;

    /// <summary>Print stack traces with errors.</summary>
    public bool Verbose { get; set; }

    /// <summary>Whether <paramref name="code"/> is a whole submission, or more lines are to come (an open block, a dangling operator).</summary>
    public static bool IsComplete(string code) =>
        SyntaxFactory.IsCompleteSubmission(SyntaxFactory.ParseSyntaxTree(code, ParseOptions));

    /// <summary>Compiles an empty submission, so the first real one does not wait for the compiler to load.</summary>
    public static Task WarmUpAsync() => Task.Run(() => CSharpScript.Create(string.Empty, Options(Directory.GetCurrentDirectory(), null), typeof(ControllerGlobals)).Compile());

    /// <summary>Runs one submission and prints its value or its error; false when it failed.</summary>
    public async Task<bool> SubmitAsync(string code, CancellationToken cancellationToken)
    {
        var options = Options(Directory.GetCurrentDirectory(), filePath: null);
        var script = _state is null
            ? CSharpScript.Create(code, options, typeof(ControllerGlobals))
            : _state.Script.ContinueWith(code, options);
        if (!Compiles(script))
        {
            return false;
        }

        var hasValue = HasValue(script.GetCompilation(), code);
        if (!await RunAsync(script, cancellationToken))
        {
            return false;
        }

        if (hasValue)
        {
            output.WriteLine(ReadableText.Format(_state!.ReturnValue));
        }

        return true;
    }

    /// <summary>Runs a script file (its <c>#load</c> and <c>#r</c> paths relative to it); false when it failed.</summary>
    public async Task<bool> RunFileAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        string code;
        try
        {
            code = await File.ReadAllTextAsync(fullPath, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read {path}: {ex.Message}");
            return false;
        }

        var script = CSharpScript.Create(code, Options(Path.GetDirectoryName(fullPath)!, fullPath), typeof(ControllerGlobals));
        return Compiles(script) && await RunAsync(script, cancellationToken);
    }

    /// <summary>Forgets every variable and definition, as a new session would.</summary>
    public void Reset() => _state = null;

    private static ScriptOptions Options(string baseDirectory, string? filePath) =>
        ScriptOptions.Default
            .WithReferences(References.Value)
            .WithImports(Imports)
            .WithSourceResolver(new SourceFileResolver([], baseDirectory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory).WithSearchPaths(baseDirectory))
            .WithFilePath(filePath ?? string.Empty);

    /// <summary>The framework and the RemoteModel libraries: what a submission may use without <c>#r</c>.</summary>
    private static ImmutableArray<MetadataReference> FindReferences()
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. trusted
            .Where(path => Path.GetDirectoryName(path) == framework
                || Path.GetFileName(path).StartsWith("RemoteModel.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "Google.Protobuf.dll" or "Grpc.Core.Api.dll" or "Grpc.Net.Client.dll"
                || Path.GetFileName(path) == typeof(ControllerGlobals).Assembly.GetName().Name + ".dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    /// <summary>Whether the submission ends in an expression without a semicolon whose type is not void: a value to print.</summary>
    private static bool HasValue(Compilation compilation, string code)
    {
        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.GetText().ToString() == code);
        if (tree?.GetRoot() is not CompilationUnitSyntax { Members: [.., GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } last }] })
        {
            return false;
        }

        return compilation.GetSemanticModel(tree).GetTypeInfo(last.Expression).Type is not { SpecialType: SpecialType.System_Void };
    }

    private bool Compiles(Script script)
    {
        var errors = script.Compile().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        foreach (var diagnostic in errors)
        {
            error.WriteLine(diagnostic.ToString());
        }

        return errors.Count == 0;
    }

    /// <summary>
    /// Runs a compiled submission with the globals' token set to this run's; false when it threw.
    /// What it declared before throwing stays declared, as in C# Interactive.
    /// </summary>
    private async Task<bool> RunAsync(Script<object> script, CancellationToken cancellationToken)
    {
        globals.CancellationToken = cancellationToken;
        try
        {
            _state = _state is null
                ? await script.RunAsync(globals, _ => true, cancellationToken)
                : await script.RunFromAsync(_state, _ => true, cancellationToken);
            if (_state.Exception is { } exception)
            {
                Report(exception);
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or CompilationErrorException)
        {
            Report(ex);
            return false;
        }
        finally
        {
            globals.CancellationToken = CancellationToken.None;
        }
    }

    private void Report(Exception exception)
    {
        error.WriteLine(exception is CompilationErrorException compilation
            ? string.Join(Environment.NewLine, compilation.Diagnostics.Select(d => d.ToString()))
            : "error: " + ReadableText.Error(exception));
        if (Verbose && exception is not CompilationErrorException)
        {
            error.WriteLine(exception.ToString());
        }
    }
}
