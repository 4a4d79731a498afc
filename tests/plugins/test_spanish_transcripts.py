"""Every flow of every built-in plugin, once more in Spanish, through the simulator: a customer's,
and the factory's as the demo's operator (role staff) sees them."""

import pytest

from gateway.demo import DEMO_CUSTOMER, DEMO_OPERATOR
from gateway.testing import SimulatedContact
from plugins.billing.plugin import BillingPlugin
from plugins.defects.plugin import DefectsPlugin
from plugins.maintenance.plugin import MaintenancePlugin
from plugins.orders.plugin import OrdersPlugin


@pytest.fixture
async def gateway(make_gateway):
    return await make_gateway([OrdersPlugin(), DefectsPlugin(), MaintenancePlugin(), BillingPlugin()])


@pytest.fixture
async def cliente(gateway, clock):
    contact = SimulatedContact(gateway, DEMO_CUSTOMER, clock)
    await contact.send("hola")
    return contact


@pytest.fixture
async def operario(gateway, clock):
    contact = SimulatedContact(gateway, DEMO_OPERATOR, clock)
    await contact.send("hola")
    return contact


async def entrada(contact: SimulatedContact, grupo: str, opcion: str):
    await contact.send("menú")
    await contact.press(grupo)
    return await contact.press(opcion)


async def test_menu_principal(cliente, operario):
    _, menu = await cliente.send("hola")
    assert menu.titles == ["Pedidos", "Facturación", "Ayuda"]
    _, menu = await operario.send("hola")
    assert menu.titles == ["Calidad", "Pedidos", "Mantenimiento", "Facturación", "Ayuda"]


async def test_calidad(operario):
    [mis] = await entrada(operario, "Calidad", "Mis defectos")
    assert mis.text.splitlines()[1] == "• DEF-000002, pedido ORD-4413: Dimensional, en investigación"
    await entrada(operario, "Calidad", "Seguir un defecto")
    [seguimiento] = await operario.send("DEF-000001")
    assert seguimiento.text.endswith("Estado: resuelto\nResolución: Rebaba eliminada; SOP-101 actualizado.")
    await entrada(operario, "Calidad", "Ver SOP")
    [sop] = await operario.send("SOP-102")
    assert sop.text.endswith("Último fallo: ninguno registrado")


async def test_pedidos(cliente):
    [recientes] = await entrada(cliente, "Pedidos", "Pedidos recientes")
    assert recientes.text.startswith("Tus pedidos recientes:\n• ORD-4415: Brida FL-80, planificado (0\xa0%)")
    [entregas] = await entrada(cliente, "Pedidos", "Fechas de entrega")
    assert entregas.text.startswith("Próximas entregas:\n• ORD-4414: 5 ene 2026")


async def test_produccion(operario):
    [periodo] = await entrada(operario, "Pedidos", "Plan de producción")
    assert periodo.titles == ["Hoy", "Esta semana"]
    _grafico, hoy = await operario.press("Hoy")
    assert hoy.text.startswith("Plan de producción, hoy:\n• 5 ene 2026, Línea 1: pedido ORD-4411")
    await entrada(operario, "Pedidos", "Cambio de BOM")
    await operario.send("BOM-12")
    [hecho] = await operario.send("Cambiar el material del eje")
    assert hecho.text == "Gracias. Tu cambio en BOM-12 quedó registrado como *BOM-000001*."


async def test_mantenimiento(operario, clock):
    await entrada(operario, "Mantenimiento", "Reportar una avería")
    await operario.send("PRESS-01")
    await operario.press("Hidráulica")
    await operario.press("Baja")
    [abierto] = await operario.press("Omitir")
    assert abierto.text.startswith("Ticket *MAINT-000001* abierto para PRESS-01 (hidráulica, urgencia baja). SLA: 48 horas")
    clock.advance(hours=40)
    await entrada(operario, "Mantenimiento", "Estado del SLA")
    [estado] = await operario.send("MAINT-000001")
    assert estado.text.startswith("⚠️ *MAINT-000001*: solo quedan 8 horas del SLA")


async def test_facturacion(cliente):
    [suscripcion] = await entrada(cliente, "Facturación", "Mi suscripción")
    assert suscripcion.text == "*Leche semidesnatada 1 L*\nEntrega: todos los días a las 7:00\nEstado: activa"
    await entrada(cliente, "Facturación", "Pausar entregas")
    [pausa] = await cliente.send("2026-01-15")
    assert pausa.text.startswith("Las entregas de Leche semidesnatada 1 L quedan pausadas hasta el 15 ene 2026.")
    [reanudar] = await entrada(cliente, "Facturación", "Reanudar entregas")
    assert reanudar.text == "Las entregas de Leche semidesnatada 1 L se reanudan: todos los días a las 7:00."
    _pdf, factura = await entrada(cliente, "Facturación", "Mi factura")
    assert factura.text.startswith("*Factura de diciembre de 2025*\nImporte: 1.860,00\xa0₹\nVencimiento: 10 ene 2026")


async def test_ayuda(cliente):
    [preguntas] = await entrada(cliente, "Ayuda", "Preguntas frecuentes")
    assert preguntas.text.startswith("*¿Cómo empiezo?*")
    [persona] = await entrada(cliente, "Ayuda", "Hablar con una persona")
    assert persona.text.startswith("Una persona de nuestro equipo te responderá aquí")
    await entrada(cliente, "Ayuda", "Reportar un problema")
    [registrado] = await cliente.send("La app no carga mis pedidos")
    assert registrado.text == "Gracias. Lo registramos como *PRB-000001* y nuestro equipo lo revisará."
