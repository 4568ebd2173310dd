// A helper for scripts: one line describing a ticker's quote.
string Quote(ModelProxy ticker)
{
    var quote = ticker.Query("Symbol", "Price", "Change");
    return $"{quote["Symbol"]} {quote["Price"]} ({quote["Change"]:+0.00;-0.00}) at v{quote.Version}";
}
