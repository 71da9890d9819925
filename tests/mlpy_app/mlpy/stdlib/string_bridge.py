"""ML `string` module (import string; string.upper(s))."""

from mlpy.stdlib.decorators import ml_function, ml_module


@ml_module(name="string", description="String manipulation", capabilities=[])
class String:
    @ml_function(description="Upper-case copy")
    def upper(self, s):
        return str(s).upper()

    @ml_function(description="Lower-case copy")
    def lower(self, s):
        return str(s).lower()

    @ml_function(description="Strip surrounding whitespace")
    def trim(self, s):
        return str(s).strip()

    @ml_function(description="Split on a separator")
    def split(self, s, separator=" "):
        return str(s).split(separator)

    @ml_function(description="Join array items with a separator")
    def join(self, items, separator=""):
        return separator.join(str(item) for item in items)

    @ml_function(description="Pad on the left to a width")
    def pad_left(self, s, width, fill=" "):
        return str(s).rjust(int(width), fill[:1] or " ")

    @ml_function(description="Pad on the right to a width")
    def pad_right(self, s, width, fill=" "):
        return str(s).ljust(int(width), fill[:1] or " ")

    @ml_function(description="Repeat a string")
    def repeat(self, s, count):
        return str(s) * max(0, int(count))

    @ml_function(description="Does s contain part?")
    def contains(self, s, part):
        return str(part) in str(s)

    @ml_function(description="Replace every occurrence")
    def replace(self, s, old, new):
        return str(s).replace(str(old), str(new))


string = String()
