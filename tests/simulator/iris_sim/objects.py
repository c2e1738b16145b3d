# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Class registry and object protocol (DESIGN.md Contract 1).

Models declare IRIS classes as ``SimClass`` subclasses::

    @register
    class Task(SimClass):
        name = "%SYS.Task"
        source = "iris-sources.md S2, S8, S11"
        properties = {"Name": Prop("", source="S11")}

        @class_method("%OpenId", source="S8")
        def open_id(cls, proc, id_, concurrency=None): ...

        @method("%Save", source="S8")
        def save(self, proc): ...

Class names, member names and property names are case-sensitive, as in IRIS.  A ``%Name`` without a
package also resolves to ``%Library.Name`` (IRIS's implied ``%Library`` package) [inf: documented
class-name shorthand, not verified per class].
"""

from __future__ import annotations

import functools
import inspect
import itertools
from typing import Any, Callable

from iris_sim.errors import IrisError

_REGISTRY: dict[str, type["SimClass"]] = {}
_RESOLVERS: list[Callable] = []
"""Lookups of classes defined at run time, per process (``fn(proc, name)`` → class or None): the UDL classes
loaded with ``$SYSTEM.OBJ`` (iris_sim/classdefs.py)."""
_OREF_COUNTER = itertools.count(1)

_CLASS_ATTR = "_iris_class_method"
_INSTANCE_ATTR = "_iris_method"


class Prop:
    """A declared property: default value, cited source, read-only flag.

    ``compute`` (optional) is a callable ``compute(obj)`` giving the value on every read (for
    calculated properties); such a property is read-only.
    """

    def __init__(self, default: Any = "", source: str = "", readonly: bool = False,
                 compute: Callable[["SimObject"], Any] | None = None):
        self.default = default
        self.source = source
        self.readonly = readonly or compute is not None
        self.compute = compute


def class_method(iris_name: str, source: str = ""):
    """Declare a class method: ``fn(cls, proc, *args)``; ``cls`` is the ``SimClass`` subclass.

    The result is a Python ``classmethod`` too, so models may call it directly
    (``Task.open_id(proc, 1)``) and linters see ``cls`` as the first argument.
    """
    def decorate(fn):
        setattr(fn, _CLASS_ATTR, iris_name)
        fn.iris_source = source
        return classmethod(fn)
    return decorate


def method(iris_name: str, source: str = ""):
    """Declare an instance method: ``fn(self, proc, *args)``; ``self`` is the ``SimObject``."""
    def decorate(fn):
        setattr(fn, _INSTANCE_ATTR, iris_name)
        fn.iris_source = source
        return fn
    return decorate


class ByRef:
    """A by-reference argument ``.x``: wraps the caller's local-variable node (``values.Node``)."""

    def __init__(self, node, name: str = ""):
        self.node = node
        self.name = name

    @property
    def value(self):
        """The unsubscripted value (``None`` when undefined)."""
        return self.node.get(())

    @value.setter
    def value(self, new):
        self.node.set((), new)

    def get(self, *subs, default=None):
        """Value of ``x(subs)``, or ``default`` when undefined."""
        value = self.node.get(subs)
        return default if value is None else value

    def set(self, value, *subs):
        """``set x(subs)=value``."""
        self.node.set(subs, value)

    def kill(self, *subs):
        """``kill x(subs)`` (all of ``x`` without subscripts)."""
        self.node.kill(subs)

    def data(self, *subs) -> int:
        """``$Data(x(subs))``: 0, 1, 10 or 11."""
        return self.node.data(subs)

    def order(self, *subs, direction: int = 1):
        """``$Order(x(subs))``: next subscript after the last of ``subs`` (``""`` = first/none)."""
        return self.node.order(subs, direction)

    def __repr__(self):
        return f"ByRef({self.name or '?'})"


class SimObject:
    """An object instance: ``cls`` (the SimClass), ``props`` (ObjectScript-visible), ``state`` (Python)."""

    def __init__(self, cls: type["SimClass"]):
        self.cls = cls
        self.oref = next(_OREF_COUNTER)
        self.props: dict[str, Any] = {}
        for klass in reversed(cls.class_chain()):
            for pname, prop in klass.properties.items():
                if prop.compute is None:
                    self.props[pname] = prop.default
        self.state: dict[str, Any] = {}

    def __str__(self):
        # IRIS writes an oref as "<n>@<class>" (e.g. 1@%Library.DynamicObject) [inf].
        return f"{self.oref}@{self.cls.name}"

    def __repr__(self):
        return f"<SimObject {self}>"


class SimClass:
    """Base of every simulated IRIS class.  Subclasses set ``name``, ``source`` and ``properties``."""

    name = ""
    source = ""
    properties: dict[str, Prop] = {}
    superclass: str | None = None
    aliases: tuple[str, ...] = ()
    instantiable = True
    """When true, ``%New`` exists (calls ``on_new(obj, proc, *args)`` if defined, returning a %Status)."""

    iris_class_methods: dict[str, Callable] = {}
    iris_methods: dict[str, Callable] = {}

    # An @method function receives a SimObject as ``self``; these names mirror its attributes so
    # that linters resolve ``self.props`` / ``self.state`` / ``self.cls`` / ``self.oref``.
    cls: type["SimClass"] | None = None
    oref = 0
    props: dict[str, Any] = {}
    state: dict[str, Any] = {}

    # -- structure ------------------------------------------------------------------------------
    @classmethod
    def class_chain(cls) -> list[type["SimClass"]]:
        """This class and its IRIS superclasses, nearest first."""
        chain = [cls]
        seen = {cls.name}
        parent_name = cls.superclass
        while parent_name:
            parent = _REGISTRY.get(parent_name)
            if parent is None or parent.name in seen:
                break
            chain.append(parent)
            seen.add(parent.name)
            parent_name = parent.superclass
        return chain

    @classmethod
    def find_prop(cls, pname: str) -> Prop | None:
        """The declared ``Prop`` named ``pname`` (walking superclasses), or None."""
        for klass in cls.class_chain():
            if pname in klass.properties:
                return klass.properties[pname]
        return None

    @classmethod
    def find_class_method(cls, mname: str) -> Callable | None:
        """The Python function of class method ``mname`` (walking superclasses), or None."""
        for klass in cls.class_chain():
            if mname in klass.iris_class_methods:
                return klass.iris_class_methods[mname]
        if mname == "%New" and cls.instantiable:
            return _default_new
        return None

    @classmethod
    def find_method(cls, mname: str) -> Callable | None:
        """The Python function of instance method ``mname`` (walking superclasses), or None."""
        for klass in cls.class_chain():
            if mname in klass.iris_methods:
                return klass.iris_methods[mname]
        return None

    # -- property access hooks (overridden by dynamic classes) ---------------------------------
    @classmethod
    def get_property(cls, obj: SimObject, pname: str, proc=None):  # pylint: disable=unused-argument
        """Read ``obj.pname``; undeclared → ``<PROPERTY DOES NOT EXIST> *pname,Class``."""
        prop = cls.find_prop(pname)
        if prop is None:
            raise IrisError("PROPERTY DOES NOT EXIST", f"{pname},{cls.name}")
        if prop.compute is not None:
            return prop.compute(obj)
        return obj.props.get(pname, prop.default)

    @classmethod
    def set_property(cls, obj: SimObject, pname: str, value, proc=None):  # pylint: disable=unused-argument
        """Write ``obj.pname``; undeclared → PROPERTY DOES NOT EXIST, read-only → CANNOT SET THIS PROPERTY."""
        prop = cls.find_prop(pname)
        if prop is None:
            raise IrisError("PROPERTY DOES NOT EXIST", f"{pname},{cls.name}")
        if prop.readonly:
            raise IrisError("CANNOT SET THIS PROPERTY", f"{pname},{cls.name}")
        obj.props[pname] = value


def _default_new(cls, proc, *args):
    """``%New(args)``: a fresh object; ``on_new`` (if the model defines it) may initialise it.

    [inf] IRIS's %New returns "" when %OnNew returns an error status; we do the same.
    """
    obj = SimObject(cls)
    hook = getattr(cls, "on_new", None)
    if hook is not None:
        from iris_sim.errors import is_error  # pylint: disable=import-outside-toplevel

        status = hook(obj, proc, *args)
        if status is not None and is_error(status):
            return ""
    return obj


def register(cls: type[SimClass]) -> type[SimClass]:
    """Class decorator: register ``cls`` under its IRIS name and ``aliases``; collect its members."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} has no IRIS name")
    class_methods: dict[str, Callable] = {}
    methods: dict[str, Callable] = {}
    for klass in reversed(cls.__mro__):
        for attr in vars(klass).values():
            fn = attr.__func__ if isinstance(attr, (classmethod, staticmethod)) else attr
            if hasattr(fn, _CLASS_ATTR):
                class_methods[getattr(fn, _CLASS_ATTR)] = fn
            if hasattr(fn, _INSTANCE_ATTR):
                methods[getattr(fn, _INSTANCE_ATTR)] = fn
    cls.iris_class_methods = class_methods
    cls.iris_methods = methods
    if "properties" not in vars(cls):
        cls.properties = {}
    for key in (cls.name,) + tuple(cls.aliases):
        _REGISTRY[key] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a class (tests only)."""
    cls = _REGISTRY.get(name)
    if cls is None:
        return
    for key in (cls.name,) + tuple(cls.aliases):
        _REGISTRY.pop(key, None)


def class_exists(name: str) -> bool:
    """True when ``name`` resolves to a registered class."""
    return _resolve(name) is not None


def _resolve(name: str) -> type[SimClass] | None:
    cls = _REGISTRY.get(name)
    if cls is None and name.startswith("%") and "." not in name:
        cls = _REGISTRY.get("%Library." + name[1:])
    return cls


def add_resolver(fn: Callable) -> Callable:
    """Register ``fn(proc, name)`` → class or None, asked after the registry (classes loaded at run time)."""
    if fn not in _RESOLVERS:
        _RESOLVERS.append(fn)
    return fn


def find_class(name: str, proc=None) -> type[SimClass]:
    """The class named ``name`` (registry first, then the run-time resolvers for ``proc``'s namespace);
    unknown → ``<CLASS DOES NOT EXIST> *name``."""
    cls = _resolve(name)
    if cls is None and proc is not None:
        for resolver in _RESOLVERS:
            cls = resolver(proc, name)
            if cls is not None:
                break
    if cls is None:
        raise IrisError("CLASS DOES NOT EXIST", name)
    return cls


def find_system_class(short: str) -> type[SimClass]:
    """``$SYSTEM.<short>`` → class ``%SYSTEM.<short>``.

    [inf] the class part after ``$SYSTEM`` is treated case-insensitively (``$System.Status`` and
    ``$SYSTEM.Status`` both appear in public code, S8-S11); member names stay case-sensitive.
    """
    wanted = ("%SYSTEM." + short).lower()
    for key, cls in _REGISTRY.items():
        if key.lower() == wanted:
            return cls
    raise IrisError("CLASS DOES NOT EXIST", "%SYSTEM." + short)


@functools.lru_cache(maxsize=None)
def _signature(fn) -> inspect.Signature:
    return inspect.signature(fn)


def _call(fn, target, proc, args, mname: str, cls) -> Any:
    """Run a modelled method; a call its Python model cannot take is an IRIS-like error, never a Python TypeError.

    More actual than formal arguments is ``<PARAMETER>``, as for compiled methods (classdefs.run_method) [inf].
    Fewer arguments than the model needs is not modelled (IRIS would pass them undefined; what each method then
    does is not in the sources): a loud error naming the method.
    """
    try:
        _signature(fn).bind(target, proc, *args)
    except TypeError:
        params = _signature(fn).parameters.values()
        variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
        if not variadic and len(args) + 2 > len(_signature(fn).parameters):
            raise IrisError("PARAMETER", f"{mname},{cls.name}") from None  # [inf] more actual than formal arguments
        raise IrisError("PARAMETER", f"{mname},{cls.name} (simulator: a call with fewer arguments than its "
                        f"model needs ({len(args)} given) is not modelled)") from None
    return fn(target, proc, *args)


def call_class_method(proc, class_name: str | type[SimClass], mname: str, args=()):
    """``##class(class_name).mname(args...)``."""
    cls = find_class(class_name, proc) if isinstance(class_name, str) else class_name
    fn = cls.find_class_method(mname)
    if fn is None:
        if cls.find_method(mname) is not None:
            raise IrisError("NO CURRENT OBJECT", f"{mname},{cls.name}")  # [inf]
        raise IrisError("METHOD DOES NOT EXIST", f"{mname},{cls.name}")
    return _call(fn, cls, proc, args, mname, cls)


def call_method(proc, obj, mname: str, args=()):
    """``obj.mname(args...)``: instance methods first, then class methods (callable via an oref)."""
    if not isinstance(obj, SimObject):
        raise IrisError("INVALID OREF", "")
    cls = obj.cls
    fn = cls.find_method(mname)
    if fn is not None:
        return _call(fn, obj, proc, args, mname, cls)
    fn = cls.find_class_method(mname)
    if fn is not None:
        return _call(fn, cls, proc, args, mname, cls)
    raise IrisError("METHOD DOES NOT EXIST", f"{mname},{cls.name}")


def get_property(proc, obj, pname: str):
    """``obj.pname``; a non-object → ``<INVALID OREF>``."""
    if not isinstance(obj, SimObject):
        raise IrisError("INVALID OREF", "")
    return obj.cls.get_property(obj, pname, proc)


def set_property(proc, obj, pname: str, value) -> None:
    """``set obj.pname=value``; a non-object → ``<INVALID OREF>``."""
    if not isinstance(obj, SimObject):
        raise IrisError("INVALID OREF", "")
    obj.cls.set_property(obj, pname, value, proc)


def new_object(class_name: str, *args, proc=None) -> SimObject:
    """Python helper for models: ``##class(class_name).%New(args)``."""
    cls = find_class(class_name)
    return call_class_method(proc, cls, "%New", args)
