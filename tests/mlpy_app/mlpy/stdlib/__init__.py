"""ML standard library: Python bridges callable from ML code.

Bridges register themselves with @ml_module; the code generator maps
`import NAME;` in ML to `from mlpy.stdlib.NAME_bridge import NAME as ml_NAME`.
"""

BRIDGE_MODULES = {
    "math": "mlpy.stdlib.math_bridge",
    "time": "mlpy.stdlib.time_bridge",
}
