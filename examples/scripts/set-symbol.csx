// dotnet run --project src/Controller -- examples/scripts/set-symbol.csx ticker ACME
#load "lib/quotes.csx"
var t = Connect(Args[0]);
t.Modify(new { Symbol = Args[1] });
Console.WriteLine(Quote(t));
